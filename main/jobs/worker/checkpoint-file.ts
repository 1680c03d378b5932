import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

/** One tensor as stored: name, dtype, shape, values. */
export interface StoredTensor {
  readonly name: string;
  readonly dtype: 'F32' | 'I32';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** A checkpoint's header (safetensors `__metadata__`: string values only, so JSON inside). */
export type CheckpointMetadata = Readonly<Record<string, string>>;

/** The disk filled up while writing a checkpoint; the previous checkpoint is untouched. */
export class DiskFullError extends Error {
  constructor(path: string, cause: string) {
    super(
      `The disk is full: the checkpoint ${path} could not be written (${cause}). The previous checkpoint is intact; free some space, then resume the run.`,
    );
    this.name = 'DiskFullError';
  }
}

/** Write hook for tests that simulate a full disk where mounting a small tmpfs is not allowed. */
export type WriteFn = (fd: number, buffer: Uint8Array) => void;

const defaultWrite: WriteFn = (fd, buffer) => {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
};

/**
 * Writes a safetensors file atomically: a temporary file in the same folder, fsync'd, then
 * renamed over the target. A crash or a full disk leaves either the old file or the new one,
 * never half of one; the temporary file is removed on failure.
 */
export function writeSafetensors(
  path: string,
  tensors: readonly StoredTensor[],
  metadata: CheckpointMetadata,
  write: WriteFn = defaultWrite,
): number {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.byteLength;
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // keep tensor data 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  const tmp = join(dirname(path), `.${process.pid}-${Date.now()}.safetensors.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w');
    write(fd, len);
    write(fd, headerBytes);
    for (const t of tensors) write(fd, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new DiskFullError(path, code);
    throw err;
  }
  return statSync(path).size;
}

/** Reads a safetensors file written by {@link writeSafetensors} (F32 and I32 tensors). */
export function readSafetensors(path: string): {
  tensors: Map<string, StoredTensor>;
  metadata: CheckpointMetadata;
} {
  const buf = readFileSync(path);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.toString('utf8', 8, 8 + n)) as Record<string, unknown>;
  const base = 8 + n;
  const tensors = new Map<string, StoredTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const info = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const [from, to] = info.data_offsets;
    const copy = buf.subarray(base + from, base + to);
    const aligned = new Uint8Array(copy); // copies, so the typed array is aligned
    const data =
      info.dtype === 'I32'
        ? new Int32Array(aligned.buffer)
        : info.dtype === 'F32'
          ? new Float32Array(aligned.buffer)
          : null;
    if (!data) throw new Error(`${path}: tensor ${name} has unsupported dtype ${info.dtype}`);
    tensors.set(name, { name, dtype: info.dtype as 'F32' | 'I32', shape: info.shape, data });
  }
  return { tensors, metadata: (header['__metadata__'] ?? {}) as CheckpointMetadata };
}
