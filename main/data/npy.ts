import { unzipSync } from 'fflate';

/** A NumPy array read from a `.npy` member: uint8 or integer data, C order. */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Values as numbers (integers and floats), flattened in C order. */
  readonly data: Uint8Array | Int32Array | Float64Array;
}

/** Parses one `.npy` file (format 1.0-3.0). Throws with a plain message on anything else. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('not a .npy array');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`unreadable .npy header: ${header.trim()}`);
  if (fortran) throw new Error('Fortran-ordered arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const little = !descr.startsWith('>');
  const code = descr.replace(/^[<>|=]/, '');
  const size = Number(code.slice(1));
  if (offset + count * size > bytes.length) {
    throw new Error(`array data is truncated (${bytes.length - offset} of ${count * size} bytes)`);
  }
  if (code === 'u1' || code === 'b1')
    return { shape, dtype: code, data: bytes.slice(offset, offset + count) };
  const out = code.startsWith('f') ? new Float64Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const p = offset + i * size;
    out[i] =
      code === 'i1'
        ? view.getInt8(p)
        : code === 'i2'
          ? view.getInt16(p, little)
          : code === 'u2'
            ? view.getUint16(p, little)
            : code === 'i4'
              ? view.getInt32(p, little)
              : code === 'u4'
                ? view.getUint32(p, little)
                : code === 'i8' || code === 'u8'
                  ? Number(view.getBigInt64(p, little))
                  : code === 'f4'
                    ? view.getFloat32(p, little)
                    : code === 'f8'
                      ? view.getFloat64(p, little)
                      : Number.NaN;
    if (Number.isNaN(out[i]!) && !code.startsWith('f')) throw new Error(`dtype ${descr} is not supported`);
  }
  return { shape, dtype: code, data: out };
}

/** Reads every `.npy` member of an `.npz` (zip, stored or deflated, zip64 included). */
export function parseNpz(bytes: Uint8Array): Record<string, NpyArray> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (err) {
    throw new Error(`not a readable .npz archive (${(err as Error).message}); the file may be truncated`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [name, data] of Object.entries(files)) {
    if (!name.endsWith('.npy')) continue;
    try {
      out[name.slice(0, -4)] = parseNpy(data);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  }
  return out;
}
