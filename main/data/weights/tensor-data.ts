import { DTYPE_BYTES, type TensorDtype } from './pickle-values';

/** Elements of a shape. */
export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

let HALF: Float32Array | undefined;
/** fp16 bit pattern -> float32, as a 65,536-entry table (exact; built once). */
function halfTable(): Float32Array {
  if (HALF) return HALF;
  HALF = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    HALF[h] =
      e === 0
        ? s * 2 ** -14 * (f / 1024)
        : e === 31
          ? f
            ? Number.NaN
            : s * Number.POSITIVE_INFINITY
          : s * 2 ** (e - 15) * (1 + f / 1024);
  }
  return HALF;
}

/** 16-bit little-endian elements as a Uint16Array (a view when aligned; little-endian hosts). */
function halves(bytes: Buffer, n: number): Uint16Array {
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
  return new Uint16Array(new Uint8Array(bytes).buffer, 0, n);
}

/** Little-endian element bytes of a floating dtype -> float32 values (a new, aligned array). */
export function toFloat32(dtype: TensorDtype, bytes: Buffer): Float32Array {
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      new Uint8Array(out.buffer).set(bytes);
      return out;
    case 'F16': {
      const t = halfTable();
      const h = halves(bytes, n);
      for (let i = 0; i < n; i++) out[i] = t[h[i] as number] as number;
      return out;
    }
    case 'BF16': {
      const u = new Uint32Array(out.buffer);
      const h = halves(bytes, n);
      for (let i = 0; i < n; i++) u[i] = (h[i] as number) << 16; // bfloat16 = the top half of a float32
      return out;
    }
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(8 * i);
      return out;
    default:
      throw new Error(`${dtype} is not a floating-point type`);
  }
}

/** Little-endian integer element bytes -> int64 bytes (what the stored file keeps for index buffers). */
export function toInt64Bytes(dtype: TensorDtype, bytes: Buffer): Buffer {
  if (dtype === 'I64') return bytes;
  const size = DTYPE_BYTES[dtype];
  const n = bytes.byteLength / size;
  const out = Buffer.alloc(8 * n);
  for (let i = 0; i < n; i++) {
    const v =
      dtype === 'I32'
        ? bytes.readInt32LE(4 * i)
        : dtype === 'I16'
          ? bytes.readInt16LE(2 * i)
          : dtype === 'I8'
            ? bytes.readInt8(i)
            : bytes.readUInt8(i);
    out.writeBigInt64LE(BigInt(v), 8 * i);
  }
  return out;
}

/** True for the floating-point dtypes. */
export const isFloat = (d: TensorDtype): boolean => d === 'F32' || d === 'F16' || d === 'BF16' || d === 'F64';

/**
 * Gathers a strided view out of the bytes of its covering span (`span` starts at element
 * `base`). Contiguous views never come here.
 */
export function gatherStrided(
  span: Buffer,
  elemBytes: number,
  base: number,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): Buffer {
  const n = numelOf(shape);
  const out = Buffer.allocUnsafe(n * elemBytes);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let e = offset - base;
    for (let d = 0; d < shape.length; d++) e += (idx[d] as number) * (stride[d] as number);
    span.copy(out, k * elemBytes, e * elemBytes, (e + 1) * elemBytes);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** True when a view with these strides is row-major contiguous. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if ((shape[d] as number) !== 1 && stride[d] !== expect) return false;
    expect *= shape[d] as number;
  }
  return true;
}
