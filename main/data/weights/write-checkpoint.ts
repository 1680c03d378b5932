import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { SHARED_EMBEDDING, type WeightSpec } from '#shared/model/weight-shapes';
import { WeightsFormatError } from './file-reader';
import type { LazyTensor } from './sources';
import { isFloat, numelOf, toFloat32, toInt64Bytes } from './tensor-data';

/** One stored tensor: the model's spec and the file's tensor holding it. */
export interface WriteItem {
  readonly spec: WeightSpec;
  readonly source: LazyTensor;
  readonly sourceKey: string;
}

/** Progress of a write: tensor bytes done of total. */
export type WriteProgress = (done: number, total: number, key: string) => void;

function convert(item: WriteItem): Buffer {
  const raw = item.source.read();
  const { dtype } = item.source;
  if (item.spec.dtype === 'int64') {
    if (isFloat(dtype)) {
      const f = toFloat32(dtype, raw);
      const out = Buffer.alloc(8 * f.length);
      for (let i = 0; i < f.length; i++) out.writeBigInt64LE(BigInt(Math.round(f[i] as number)), 8 * i);
      return out;
    }
    return toInt64Bytes(dtype, raw);
  }
  if (!isFloat(dtype))
    throw new WeightsFormatError(`${item.sourceKey} holds ${dtype} values; the model needs floating point`);
  if (dtype === 'F32') return raw;
  const f = toFloat32(dtype, raw);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}

function sameValues(a: Buffer, b: Buffer): boolean {
  return a.byteLength === b.byteLength && a.equals(b);
}

/**
 * Streams the model's weights into a safetensors file in the engine's checkpoint format (fp32
 * floats, int64 index buffers, `metadata` in the header), one tensor in memory at a time,
 * hashing the tensors as it writes. Tied copies in `aliases` are compared with the shared embedding and
 * refused by name when they differ. Returns the tensors' sha256 and the file's size.
 */
export async function writeCheckpoint(
  file: string,
  items: readonly WriteItem[],
  aliases: ReadonlyMap<string, LazyTensor>,
  metadata: Readonly<Record<string, string>>,
  progress: WriteProgress = () => {},
): Promise<{ sha256: string; bytes: number }> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const { spec } of items) {
    const bytes = numelOf(spec.shape) * (spec.dtype === 'int64' ? 8 : 4);
    header[spec.name] = {
      dtype: spec.dtype === 'int64' ? 'I64' : 'F32',
      shape: spec.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // align the data to 8 bytes
  const head = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.byteLength));
  const hash = createHash('sha256');
  const fd = openSync(file, 'w', 0o644);
  let written = 0;
  const put = (b: Buffer, hashed = true) => {
    let off = 0;
    while (off < b.byteLength) off += writeSync(fd, b, off, b.byteLength - off);
    if (hashed) hash.update(b);
    written += b.byteLength;
  };
  try {
    // the digest covers the tensors (names, shapes and values), not the header's provenance fields
    hash.update(JSON.stringify(items.map((i) => [i.spec.name, i.spec.shape])));
    put(len, false);
    put(head, false);
    let done = 0;
    for (const item of items) {
      const data = convert(item);
      if (item.spec.name === SHARED_EMBEDDING) {
        for (const [key, alias] of aliases) {
          if (alias.identity === item.source.identity) continue;
          const other = convert({ ...item, source: alias, sourceKey: key });
          if (!sameValues(data, other))
            throw new WeightsFormatError(
              `${key} differs from ${item.sourceKey}: the model ties the token embedding and the output projection`,
            );
        }
      }
      put(data);
      done += data.byteLength;
      progress(done, offset, item.spec.name);
      await new Promise<void>((r) => setImmediate(r)); // let progress events and other requests through
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), bytes: written };
}
