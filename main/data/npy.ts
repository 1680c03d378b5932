import { unzipSync } from 'fflate';

/** A NumPy array read from a `.npy` member: uint8 or integer data, C order. */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly dtype: string;
  /** Values as numbers (integers and floats), flattened in C order. */
  readonly data: Uint8Array | Int32Array | Float64Array;
}

/** The element types a `.npy` member may have here, with their sizes in bytes. */
const DTYPES: Readonly<Record<string, number>> = {
  b1: 1,
  u1: 1,
  i1: 1,
  u2: 2,
  i2: 2,
  u4: 4,
  i4: 4,
  u8: 8,
  i8: 8,
  f4: 4,
  f8: 8,
};

/** Why the header's `descr` is refused, or undefined when it is a dtype from `DTYPES`. */
function refusedDtype(descr: string | undefined, header: string): string | undefined {
  if (descr === undefined) {
    return /'descr':\s*\[/.test(header)
      ? 'it is a structured array (record dtype), which the format does not define here'
      : `unreadable .npy header: ${header.trim()}`;
  }
  const code = descr.replace(/^[<>|=]/, '');
  if (code === 'O') {
    return 'it is an object array (dtype |O: pickled Python objects, which numpy itself refuses without allow_pickle); save it as an integer or uint8 array';
  }
  if (!/^[<>|=]?[a-zA-Z]\d+$/.test(descr) || !(code in DTYPES)) {
    return `its dtype ${descr} is not one this format defines here (bool, int8-64, uint8-64, float32, float64)`;
  }
  return undefined;
}

/**
 * Parses one `.npy` file (format 1.0-3.0). Only plain numeric arrays (`DTYPES`, C order, a shape
 * of whole numbers) are read; object arrays (pickled), strings, records and anything else throw
 * with a plain message naming what the array is.
 */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('not a .npy array');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const refused = refusedDtype(descr, header);
  if (refused || descr === undefined) throw new Error(`refused: ${refused}`);
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw new Error(`unreadable .npy header: ${header.trim()}`);
  if (fortran) throw new Error('Fortran-ordered arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new Error(`refused: its shape (${shapeText.trim()}) is not a list of whole numbers`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  const little = !descr.startsWith('>');
  const code = descr.replace(/^[<>|=]/, '');
  const size = DTYPES[code]!;
  if (offset + count * size > bytes.length) {
    throw new Error(`array data is truncated (${bytes.length - offset} of ${count * size} bytes)`);
  }
  if (code === 'u1' || code === 'b1')
    return { shape, dtype: code, data: bytes.slice(offset, offset + count) };
  const read: (p: number) => number =
    code === 'i1'
      ? (p) => view.getInt8(p)
      : code === 'i2'
        ? (p) => view.getInt16(p, little)
        : code === 'u2'
          ? (p) => view.getUint16(p, little)
          : code === 'i4'
            ? (p) => view.getInt32(p, little)
            : code === 'u4'
              ? (p) => view.getUint32(p, little)
              : code === 'i8'
                ? (p) => Number(view.getBigInt64(p, little))
                : code === 'u8'
                  ? (p) => Number(view.getBigUint64(p, little))
                  : code === 'f4'
                    ? (p) => view.getFloat32(p, little)
                    : (p) => view.getFloat64(p, little);
  const out =
    code.startsWith('f') || code === 'u4' || code.endsWith('8')
      ? new Float64Array(count)
      : new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = read(offset + i * size);
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
