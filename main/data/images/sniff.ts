/** Image container formats the importers accept. */
export type ImageKind = 'jpeg' | 'png' | 'tiff' | 'bmp' | 'webp' | 'gif' | 'dicom';

/** The container format from the first bytes (not the file name); null when it is none we read. */
export function sniffImage(bytes: Uint8Array, name = ''): ImageKind | null {
  const b = (i: number) => bytes[i] ?? -1;
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (
    (b(0) === 0x49 && b(1) === 0x49 && b(2) === 42 && b(3) === 0) ||
    (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0 && b(3) === 42)
  )
    return 'tiff';
  if (b(0) === 0x42 && b(1) === 0x4d && bytes.length > 26) return 'bmp';
  if (b(0) === 0x52 && b(1) === 0x49 && b(2) === 0x46 && b(3) === 0x46 && b(8) === 0x57 && b(9) === 0x45)
    return 'webp';
  if (b(0) === 0x47 && b(1) === 0x49 && b(2) === 0x46) return 'gif';
  if (b(128) === 0x44 && b(129) === 0x49 && b(130) === 0x43 && b(131) === 0x4d) return 'dicom';
  // A DICOM stream without the 128-byte preamble starts with a group 0002 or 0008 tag.
  if (/\.dcm$/i.test(name) && (b(0) === 0x02 || b(0) === 0x08) && b(1) === 0x00) return 'dicom';
  return null;
}

/** Image file extensions the folder importers pick up. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.tif',
  '.tiff',
  '.bmp',
  '.webp',
  '.gif',
  '.dcm',
  '.dicom',
]);

/**
 * Width and height of a JPEG from its frame header (SOF0-SOF15, not DHT/JPG/DAC), read without
 * decoding; null when the marker chain is broken before one (the decoder then says why).
 */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = (bytes[i + 5]! << 8) | bytes[i + 6]!;
      const width = (bytes[i + 7]! << 8) | bytes[i + 8]!;
      return width > 0 && height > 0 ? { width, height } : null;
    }
    i += 2 + len;
  }
  return null;
}
