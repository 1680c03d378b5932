/**
 * Lossless removal of metadata that can identify a person: JPEG APP1 (EXIF, XMP), APP3-APP13,
 * APP15 and comment segments; PNG text, EXIF and time chunks. Pixels are not touched.
 */
export function stripJpegMetadata(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [bytes.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return bytes; // not a marker where one should be: leave it to the decoder
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) {
      keep.push(bytes.subarray(i));
      return concat(keep);
    }
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const seg = bytes.subarray(i, i + 2 + len);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const keepApp = marker === 0xe0 || marker === 0xe2 || marker === 0xee; // JFIF, ICC, Adobe
    if (!(isApp && !keepApp) && marker !== 0xfe) keep.push(seg);
    i += 2 + len;
  }
  return bytes;
}

const DROP_PNG = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

/** See `stripJpegMetadata`. */
export function stripPngMetadata(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)];
  let i = 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (i + 12 <= bytes.length) {
    const len = view.getUint32(i);
    const type = String.fromCharCode(bytes[i + 4]!, bytes[i + 5]!, bytes[i + 6]!, bytes[i + 7]!);
    const end = i + 12 + len;
    if (end > bytes.length) return bytes;
    if (!DROP_PNG.has(type)) keep.push(bytes.subarray(i, end));
    i = end;
    if (type === 'IEND') break;
  }
  return concat(keep);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
