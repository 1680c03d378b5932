/** Raw pixels decoded from a file. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  /** Samples, interleaved; with `depth: 16`, native-endian uint16 samples (2 bytes each). */
  readonly data: Uint8Array;
  /** Bits per sample (default 8); 16 only for grey medical images (DICOM). */
  readonly depth?: 8 | 16;
}

/**
 * Decodes an uncompressed BMP (1, 4, 8-bit palette; 24 or 32-bit), which sharp's prebuilt libvips
 * cannot read. Throws on RLE and other compressions.
 */
export function decodeBmp(bytes: Uint8Array): RawImage {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 54) throw new Error('BMP header is truncated');
  const dataOffset = v.getUint32(10, true);
  const headerSize = v.getUint32(14, true);
  const width = v.getInt32(18, true);
  const rawHeight = v.getInt32(22, true);
  const bpp = v.getUint16(28, true);
  const compression = v.getUint32(30, true);
  if (width <= 0 || rawHeight === 0) throw new Error('BMP has no pixels');
  if (compression !== 0 && !(compression === 3 && bpp === 32))
    throw new Error(`BMP compression ${compression} is not supported`);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw new Error('BMP pixel data is truncated');
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    const colours = v.getUint32(46, true) || 1 << bpp;
    palette = bytes.subarray(14 + headerSize, 14 + headerSize + colours * 4);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      if (palette) {
        const bit = x * bpp;
        const byte = bytes[row + (bit >> 3)]!;
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        data[o] = palette[idx * 4 + 2] ?? 0;
        data[o + 1] = palette[idx * 4 + 1] ?? 0;
        data[o + 2] = palette[idx * 4] ?? 0;
      } else {
        const p = row + x * (bpp / 8);
        data[o] = bytes[p + 2]!;
        data[o + 1] = bytes[p + 1]!;
        data[o + 2] = bytes[p]!;
      }
    }
  }
  return { width, height, channels: 3, data };
}
