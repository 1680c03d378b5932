import { basename } from 'node:path';
import { RandomAccessFile, WeightsFormatError } from './file-reader';
import { DTYPE_BYTES, type PyValue, type TensorDtype, type TensorRef } from './pickle-values';
import { gatherStrided, isContiguous, numelOf } from './tensor-data';
import { unpickle } from './unpickle';
import { entryDataOffset, readEntryRange, readZipDirectory, type ZipEntry } from './zip';

/** A tensor of an opened file: shape and type known, bytes read only on request. */
export interface LazyTensor {
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  /** Identifies the bytes (same storage and view = same identity): tied copies share one. */
  readonly identity: string;
  /** The tensor's little-endian element bytes, row-major. */
  read(): Buffer;
}

/** An opened checkpoint: its pickled root object (torch) or flat tensor table (safetensors). */
export interface OpenedWeights {
  readonly container: 'torch-zip' | 'safetensors';
  readonly root: PyValue;
  readonly file: RandomAccessFile;
  /** The lazy tensor of a {@link TensorRef} found in `root`. */
  tensor(ref: TensorRef): LazyTensor;
  close(): void;
}

const MAX_PICKLE = 512 * 1024 * 1024;

function openTorchZip(file: RandomAccessFile): OpenedWeights {
  const entries = readZipDirectory(file);
  const pkl = [...entries.values()].find((e) => e.name === 'data.pkl' || e.name.endsWith('/data.pkl'));
  if (!pkl) throw new WeightsFormatError(`${file.path}: the zip has no data.pkl: not a torch.save archive`);
  if (pkl.size > MAX_PICKLE) throw new WeightsFormatError(`${file.path}: data.pkl is implausibly large`);
  const prefix = pkl.name.slice(0, pkl.name.length - 'data.pkl'.length);
  const root = unpickle(readEntryRange(file, pkl, entryDataOffset(file, pkl), 0, pkl.size));
  const offsets = new Map<string, { entry: ZipEntry; data: number }>();
  const locate = (key: string) => {
    let hit = offsets.get(key);
    if (!hit) {
      const entry = entries.get(`${prefix}data/${key}`);
      if (!entry)
        throw new WeightsFormatError(
          `${file.path}: storage data/${key} is missing from the archive (truncated?)`,
        );
      hit = { entry, data: entryDataOffset(file, entry) };
      offsets.set(key, hit);
    }
    return hit;
  };
  return {
    container: 'torch-zip',
    root,
    file,
    tensor(ref) {
      const size = DTYPE_BYTES[ref.storage.dtype];
      const n = numelOf(ref.shape);
      return {
        dtype: ref.storage.dtype,
        shape: ref.shape,
        identity: `${ref.storage.key}:${ref.offset}:${ref.shape}:${ref.stride}`,
        read() {
          const { entry, data } = locate(ref.storage.key);
          if (entry.size < ref.storage.numel * size)
            throw new WeightsFormatError(
              `${file.path}: storage data/${ref.storage.key} has ${entry.size} bytes, its tensors need ${ref.storage.numel * size}`,
            );
          if (n === 0) return Buffer.alloc(0);
          if (isContiguous(ref.shape, ref.stride))
            return readEntryRange(file, entry, data, ref.offset * size, n * size);
          const last = ref.shape.reduce((s, d, i) => s + (d - 1) * (ref.stride[i] ?? 0), ref.offset);
          const span = readEntryRange(file, entry, data, ref.offset * size, (last - ref.offset + 1) * size);
          return gatherStrided(span, size, ref.offset, ref.offset, ref.shape, ref.stride);
        },
      };
    },
    close: () => file.close(),
  };
}

const SAFE_DTYPES: Readonly<Record<string, TensorDtype>> = {
  F64: 'F64',
  F32: 'F32',
  F16: 'F16',
  BF16: 'BF16',
  I64: 'I64',
  I32: 'I32',
  I16: 'I16',
  I8: 'I8',
  U8: 'U8',
  BOOL: 'BOOL',
};

/** A safetensors file's tensors as a flat Map of lazy tensors (the header is all that is read). */
function openSafetensors(
  file: RandomAccessFile,
): OpenedWeights & { readonly tensors: Map<string, LazyTensor> } {
  const n = Number(file.read(0, 8, 'the safetensors header length').readBigUInt64LE(0));
  if (n > 100 * 1024 * 1024 || 8 + n > file.size)
    throw new WeightsFormatError(`${file.path}: safetensors header length ${n} exceeds the file: truncated`);
  let header: Record<string, { dtype?: string; shape?: number[]; data_offsets?: number[] }>;
  try {
    header = JSON.parse(file.read(8, n, 'the safetensors header').toString('utf8'));
  } catch (err) {
    throw new WeightsFormatError(`${file.path}: safetensors header is not JSON (${(err as Error).message})`);
  }
  const base = 8 + n;
  const tensors = new Map<string, LazyTensor>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = SAFE_DTYPES[e.dtype ?? ''];
    const [start, end] = e.data_offsets ?? [];
    if (!dtype || !Array.isArray(e.shape) || start === undefined || end === undefined)
      throw new WeightsFormatError(`${file.path}: tensor ${name} has a bad header entry`);
    if (end - start !== numelOf(e.shape) * DTYPE_BYTES[dtype])
      throw new WeightsFormatError(`${file.path}: tensor ${name}: byte size does not match its shape`);
    if (base + end > file.size)
      throw new WeightsFormatError(
        `${file.path}: tensor ${name} ends beyond the end of the file: the file is truncated`,
      );
    const shape = e.shape;
    tensors.set(name, {
      dtype,
      shape,
      identity: `${start}:${end}`,
      read: () => file.read(base + start, end - start, `tensor ${name}`),
    });
  }
  return {
    container: 'safetensors',
    root: null,
    file,
    tensors,
    tensor() {
      throw new Error('safetensors files have no pickled tensors');
    },
    close: () => file.close(),
  };
}

/** What {@link openWeightsFile} returns: a torch archive, or a safetensors table. */
export type OpenedFile =
  | (OpenedWeights & { readonly container: 'torch-zip' })
  | (OpenedWeights & { readonly container: 'safetensors'; readonly tensors: Map<string, LazyTensor> });

/**
 * Opens a `torch.save` zip (`.pt`, `pytorch_model.bin`) or a safetensors file by its first bytes;
 * refuses legacy (pre-1.6) torch files and anything else with a message naming the file.
 */
export function openWeightsFile(path: string): OpenedFile {
  let file: RandomAccessFile;
  try {
    file = new RandomAccessFile(path);
  } catch (err) {
    throw new WeightsFormatError(`${path}: cannot open (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    if (file.size < 8)
      throw new WeightsFormatError(`${path}: ${file.size} bytes is too short for a checkpoint`);
    const head = file.read(0, 8, 'the file header');
    if (head.readUInt32LE(0) === 0x04034b50) return openTorchZip(file) as OpenedFile;
    if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5)
      throw new WeightsFormatError(
        `${basename(path)} is a legacy (pre-1.6) torch file; load it in PyTorch and torch.save it again to get the zip format`,
      );
    const n = Number(head.readBigUInt64LE(0));
    if (n > 0 && n < 100 * 1024 * 1024) {
      const first = file.read(8, 1, 'the safetensors header');
      if (first[0] === 0x7b) return openSafetensors(file) as OpenedFile;
    }
    throw new WeightsFormatError(
      `${basename(path)} is neither a torch.save zip (.pt, pytorch_model.bin) nor a safetensors file`,
    );
  } catch (err) {
    file.close();
    throw err;
  }
}
