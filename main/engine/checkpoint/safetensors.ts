/** safetensors: 8-byte LE header length, JSON header, raw little-endian tensor bytes. */

export type SafeDtype = 'F32' | 'I64' | 'I32' | 'F16' | 'BF16';

/**
 * One tensor to write or just read. I64 values are carried as Int32Array (all ours fit); F16/BF16
 * (published fp16 weights) are read into Float32Array and written as F32.
 */
export interface SafeTensor {
  readonly dtype: SafeDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** Why a safetensors file was refused. */
export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

const BYTES: Record<SafeDtype, number> = { F32: 4, I64: 8, I32: 4, F16: 2, BF16: 2 };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function widen(dtype: 'F16' | 'BF16', bytes: Uint8Array): Float32Array {
  const u16 = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
  if (dtype === 'F16') return Float32Array.from(u16, halfToFloat);
  const u32 = Uint32Array.from(u16, (x) => x << 16); // bfloat16 is the top half of a float32
  return new Float32Array(u32.buffer);
}
const MAX_HEADER = 100 * 1024 * 1024;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function toBytes(t: SafeTensor): Uint8Array {
  if (t.dtype === 'F16' || t.dtype === 'BF16')
    throw new Error('writing F16/BF16 is not supported; convert to F32');
  if (t.dtype === 'I64') {
    const out = new BigInt64Array(t.data.length);
    for (let i = 0; i < t.data.length; i++) out[i] = BigInt(t.data[i] ?? 0);
    return new Uint8Array(out.buffer);
  }
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** Serialises tensors (in the given order) and string metadata. Little-endian hosts only. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor>,
  metadata: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.data.length !== numel(t.shape))
      throw new Error(`tensor '${name}' has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = toBytes(t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // align the data to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let pos = 8 + head.byteLength;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/** A parsed file: metadata strings and tensors by name (file order). */
export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafeTensor>;
}

/** Parses and validates a whole file; throws CheckpointFormatError on truncation or a bad header. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.byteLength < 8)
    throw new CheckpointFormatError(`file of ${bytes.byteLength} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.byteLength)
    throw new CheckpointFormatError(
      `header length ${n} exceeds the file (${bytes.byteLength} bytes): truncated or not safetensors`,
    );
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (err) {
    throw new CheckpointFormatError(`header is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new CheckpointFormatError('header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.byteLength - dataStart;
  const metadata = (header['__metadata__'] ?? {}) as Record<string, string>;
  const tensors = new Map<string, SafeTensor>();
  let expectedOffset = 0;
  const entries = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .sort(
      (a, b) =>
        ((a[1] as { data_offsets: number[] }).data_offsets?.[0] ?? 0) -
        ((b[1] as { data_offsets: number[] }).data_offsets?.[0] ?? 0),
    );
  for (const [name, raw] of entries) {
    const e = raw as { dtype?: string; shape?: number[]; data_offsets?: number[] };
    const dtype = e.dtype as SafeDtype;
    if (!(dtype in BYTES))
      throw new CheckpointFormatError(`tensor '${name}' has unsupported dtype ${e.dtype}`);
    const [start, end] = e.data_offsets ?? [];
    if (
      !Array.isArray(e.shape) ||
      start === undefined ||
      end === undefined ||
      start !== expectedOffset ||
      end < start
    ) {
      throw new CheckpointFormatError(`tensor '${name}' has a bad shape or data_offsets`);
    }
    if (end > dataLen)
      throw new CheckpointFormatError(
        `tensor '${name}' ends at ${end} beyond the ${dataLen} data bytes: file truncated`,
      );
    if (end - start !== numel(e.shape) * BYTES[dtype])
      throw new CheckpointFormatError(`tensor '${name}' byte size does not match its shape`);
    expectedOffset = end;
    const slice = new Uint8Array(bytes.subarray(dataStart + start, dataStart + end)); // copy: aligned, detached (Buffer.slice would share)
    let data: Float32Array | Int32Array;
    if (dtype === 'I64') {
      const big = new BigInt64Array(slice.buffer);
      data = Int32Array.from(big, (x) => Number(x));
    } else if (dtype === 'F16' || dtype === 'BF16') {
      data = widen(dtype, slice);
    } else {
      data = dtype === 'F32' ? new Float32Array(slice.buffer) : new Int32Array(slice.buffer);
    }
    tensors.set(name, { dtype, shape: e.shape, data });
  }
  if (expectedOffset !== dataLen)
    throw new CheckpointFormatError(
      `data section has ${dataLen - expectedOffset} unexplained trailing bytes`,
    );
  return { metadata, tensors };
}
