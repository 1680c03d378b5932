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
