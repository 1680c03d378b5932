import type { RawImage } from '#main/data/images/bmp';
import { DicomError } from './errors';

const num = (v: unknown, fallback: number): number => {
  const first = Array.isArray(v) ? v[0] : v;
  const n = typeof first === 'string' ? Number.parseFloat(first) : Number(first);
  return Number.isFinite(n) ? n : fallback;
};

function pixelBytes(ds: Readonly<Record<string, unknown>>): Uint8Array {
  const pd = ds['PixelData'];
  const parts = (Array.isArray(pd) ? pd : [pd]).flatMap((p) =>
    p instanceof ArrayBuffer ? [new Uint8Array(p)] : p instanceof Uint8Array ? [p] : [],
  );
  if (parts.length === 0) throw new DicomError('the file has no pixel data');
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * Renders frame `frame` of a de-identified, naturalized dataset to 8-bit pixels, or, with
 * `depth` 16, a monochrome image of more than 8 stored bits to 16-bit pixels (same windowing).
 * With `inPlace` a monochrome frame is rendered over its stored values (an output sample is never
 * wider than a stored one, so pixel i is written only after it is read).
 */
export function renderFrame(
  ds: Readonly<Record<string, unknown>>,
  frame: number,
  depth: 8 | 16 = 8,
  inPlace = false,
): RawImage {
  const rows = num(ds['Rows'], 0);
  const cols = num(ds['Columns'], 0);
  const bits = num(ds['BitsAllocated'], 16);
  const signed = num(ds['PixelRepresentation'], 0) === 1;
  const spp = num(ds['SamplesPerPixel'], 1);
  const photometric = String(ds['PhotometricInterpretation'] ?? 'MONOCHROME2').trim();
  if (rows <= 0 || cols <= 0) throw new DicomError('Rows/Columns are missing');
  if (![8, 16, 32].includes(bits)) throw new DicomError(`BitsAllocated ${bits} is not supported`);
  const raw = pixelBytes(ds);
  const perFrame = rows * cols * spp * (bits / 8);
  const start = frame * perFrame;
  if (start + perFrame > raw.length) {
    throw new DicomError(
      `pixel data is truncated (${raw.length} bytes; frame ${frame} needs ${start + perFrame})`,
    );
  }
  const n = rows * cols;
  if (spp === 3) {
    if (bits !== 8) throw new DicomError('colour images must have 8 bits per sample');
    const src = raw.subarray(start, start + perFrame);
    const planar = num(ds['PlanarConfiguration'], 0) === 1;
    const data = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) data[i * 3 + c] = planar ? src[c * n + i]! : src[i * 3 + c]!;
    }
    if (photometric.startsWith('YBR_FULL')) ybrToRgb(data);
    else if (photometric !== 'RGB')
      throw new DicomError(`photometric interpretation ${photometric} is not supported`);
    return { width: cols, height: rows, channels: 3, data };
  }
  if (spp !== 1) throw new DicomError(`SamplesPerPixel ${spp} is not supported`);
  if (!photometric.startsWith('MONOCHROME'))
    throw new DicomError(`photometric interpretation ${photometric} is not supported`);
  const view = new DataView(raw.buffer, raw.byteOffset + start, perFrame);
  const slope = num(ds['RescaleSlope'], 1);
  const intercept = num(ds['RescaleIntercept'], 0);
  const read =
    bits === 8
      ? (i: number) => (signed ? view.getInt8(i) : view.getUint8(i))
      : bits === 16
        ? (i: number) => (signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true))
        : (i: number) => (signed ? view.getInt32(i * 4, true) : view.getUint32(i * 4, true));
  const centre = num(ds['WindowCenter'], Number.NaN);
  const width = num(ds['WindowWidth'], Number.NaN);
  const windowed = Number.isFinite(centre) && Number.isFinite(width) && width >= 1;
  // Two passes over the stored values (min/max, then output) instead of a float copy of the frame:
  // a 4,000 x 5,000 mammogram would hold 160 MB of doubles.
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  if (!windowed) {
    for (let i = 0; i < n; i++) {
      const v = read(i) * slope + intercept;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const wide = depth === 16 && bits > 8 && num(ds['BitsStored'], bits) > 8;
  const top = wide ? 65_535 : 255;
  const at = raw.byteOffset + start;
  const over = inPlace && (!wide || at % 2 === 0); // a Uint16Array view needs an even offset
  const out = wide
    ? over
      ? new Uint16Array(raw.buffer, at, n)
      : new Uint16Array(n)
    : over
      ? new Uint8Array(raw.buffer, at, n)
      : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = read(i) * slope + intercept;
    let y: number;
    if (windowed) {
      // DICOM PS3.3 C.11.2.1.2.1, linear VOI LUT function.
      const x = (v - (centre - 0.5)) / (width - 1) + 0.5;
      y = x <= 0 ? 0 : x >= 1 ? top : x * top;
    } else y = hi > lo ? ((v - lo) / (hi - lo)) * top : 0;
    y = Math.round(y);
    out[i] = photometric === 'MONOCHROME1' ? top - y : y;
  }
  const data = wide ? new Uint8Array(out.buffer, out.byteOffset, out.byteLength) : (out as Uint8Array);
  return { width: cols, height: rows, channels: 1, data, ...(wide ? { depth: 16 as const } : {}) };
}

function ybrToRgb(data: Uint8Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const y = data[i]!;
    const cb = data[i + 1]! - 128;
    const cr = data[i + 2]! - 128;
    const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
    data[i] = clamp(y + 1.402 * cr);
    data[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp(y + 1.772 * cb);
  }
}
