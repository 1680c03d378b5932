import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { DicomError, decodeDicom } from '#main/data/dicom/decode';
import type { GroupingKeys } from '#main/data/dicom/deidentify';
import type { ImageSource } from '#main/data/types';
import type { ExampleMeta, MaxSide } from '#shared/domain/dataset';
import { decodeBmp, type RawImage } from './bmp';
import { type NativeDownscaled, nativeJpeg, ownDecoder, plainJpeg } from './native-jpeg';
import { encodePng } from './png';
import { jpegSize, sniffImage } from './sniff';
import { stripJpegMetadata, stripPngMetadata } from './strip';

// libvips' operation cache keeps recent images alive (up to 50 MB, more than one decoded
// mammogram); every image here is decoded once, so the cache only holds memory.
sharp.cache(false);

/** Long side of stored thumbnails, in pixels. */
export const THUMBNAIL_SIZE = 128;

/** An image ready for the blob store: de-identified, normalised bytes and their hash. */
export interface PreparedImage {
  /** sha256 (hex) of `bytes`. */
  readonly hash: string;
  readonly bytes: Uint8Array;
  readonly mime: 'image/png' | 'image/jpeg';
  readonly width: number;
  readonly height: number;
  /** WebP thumbnail, `THUMBNAIL_SIZE` px on the long side; null when the image is no larger. */
  readonly thumbnail: Uint8Array | null;
  /** Technical metadata for the examples using the image (DICOM modality, body part). */
  readonly meta: ExampleMeta;
  /** In-memory grouping keys (DICOM patient/study); never stored. */
  readonly grouping: GroupingKeys;
  /** sha256 (hex) of the source: the original file's bytes (or the raw pixels given). */
  readonly sourceSha256: string;
}

/**
 * Why an image could not be used (the message does not repeat the file name: problems carry it);
 * `missing` images are listed together in one problem.
 */
export class ImageError extends Error {
  constructor(
    readonly kind: 'missing' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

/** The display name of a source (its file name), for problem reports. */
export function sourceName(source: ImageSource): string {
  return source.kind === 'file' ? basename(source.path) : source.name;
}

async function readSource(source: ImageSource): Promise<Uint8Array> {
  if (source.kind !== 'file') return source.kind === 'bytes' ? source.bytes : new Uint8Array();
  try {
    return await readFile(source.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new ImageError('missing', `${source.path} does not exist`);
    throw new ImageError('unreadable', `cannot read ${source.path}: ${(err as Error).message}`);
  }
}

function fromRaw(raw: RawImage): Uint8Array {
  const depth = raw.depth ?? 8;
  if (raw.data.length !== raw.width * raw.height * raw.channels * (depth / 8)) {
    throw new ImageError(
      'unreadable',
      `pixel buffer has ${raw.data.length} bytes for ${raw.width}x${raw.height}x${raw.channels}`,
    );
  }
  return encodePng(raw.width, raw.height, raw.channels, raw.data, depth);
}

/** JPEG quality of downscaled photos. */
export const JPEG_QUALITY = 92;

/** The long side a `width` x `height` image is stored at, or null when it is kept at its size. */
export function storedSide(width: number, height: number, maxSide: MaxSide): number | null {
  return maxSide !== 'original' && Math.max(width, height) > maxSide ? maxSide : null;
}

/** Bicubic, antialiased (libvips reduces with the kernel scaled to the ratio) to `side` on the long side. */
export const fitInside = (side: number) =>
  ({ width: side, height: side, fit: 'inside', kernel: 'cubic', withoutEnlargement: true }) as const;

interface Stored {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * A JPEG or PNG file larger than `side`: decoded with shrink-on-load (libvips decodes a JPEG at
 * 1/2, 1/4 or 1/8 scale when the target allows), downscaled, re-encoded without metadata (JPEG at
 * `JPEG_QUALITY`; PNG keeps 16 bits).
 */
async function downscaleFile(
  bytes: Uint8Array,
  kind: 'jpeg' | 'png',
  side: number,
  wide: boolean,
): Promise<Stored> {
  const img = sharp(bytes, { failOn: 'truncated' }).resize(fitInside(side));
  const out =
    kind === 'jpeg'
      ? img.jpeg({ quality: JPEG_QUALITY })
      : wide
        ? img.toColourspace('grey16').png()
        : img.png();
  const { data, info } = await out.toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

/** Raw pixels larger than `side`, downscaled to PNG (16-bit grey stays 16-bit). */
async function downscaleRaw(raw: RawImage, side: number): Promise<Stored> {
  const wide = raw.depth === 16;
  const { data, info } = await sharp(raw.data, {
    raw: {
      width: raw.width,
      height: raw.height,
      channels: raw.channels,
      ...(wide ? { depth: 'ushort' as const } : {}),
    },
  })
    .resize(fitInside(side))
    .toColourspace(wide ? 'grey16' : raw.channels === 1 ? 'b-w' : 'srgb')
    .png()
    .toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}

/** Raw pixels as stored: PNG at their size, or downscaled. */
async function storeRaw(raw: RawImage, maxSide: MaxSide): Promise<Stored> {
  const side = storedSide(raw.width, raw.height, maxSide);
  if (side === null) return { bytes: fromRaw(raw), width: raw.width, height: raw.height };
  return downscaleRaw(raw, side);
}

/** WebP settings of thumbnails: effort 0 (the fastest method; quality as before, a few % larger). */
const THUMBNAIL_WEBP = { quality: 70, effort: 0 } as const;

/**
 * The stored image's hash, size and thumbnail. `size` is null when unknown; `decoded` says whether
 * the stored bytes came out of a full decode already (downscaled or rendered): otherwise the
 * thumbnail's decode is what proves a kept JPEG or PNG is not truncated, so it runs whatever the size.
 */
async function finish(
  stored: Uint8Array,
  mime: PreparedImage['mime'],
  size: { width: number; height: number } | null,
  decoded: boolean,
  meta: ExampleMeta,
  grouping: GroupingKeys,
  sourceSha256: string,
): Promise<PreparedImage> {
  const hash = createHash('sha256').update(stored).digest('hex');
  let dims = size;
  let thumbnail: Uint8Array | null = null;
  if (!decoded || !dims || Math.max(dims.width, dims.height) > THUMBNAIL_SIZE) {
    const { data, info } = await sharp(stored, { failOn: 'truncated' })
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp(THUMBNAIL_WEBP)
      .toBuffer({ resolveWithObject: true });
    if (!dims) {
      const md = await sharp(stored).metadata();
      dims = { width: md.width ?? info.width, height: md.height ?? info.height };
    }
    if (Math.max(dims.width, dims.height) > THUMBNAIL_SIZE) thumbnail = data;
  }
  return {
    hash,
    bytes: stored,
    mime,
    width: dims.width,
    height: dims.height,
    thumbnail,
    meta,
    grouping,
    sourceSha256,
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * A large JPEG through the native path (native-jpeg.ts), or null where sharp must do it: the path
 * is not available, the file has an ICC profile or is not 8-bit Huffman-coded, or libjpeg-turbo
 * refused it (sharp then decodes it and names the problem, as for every other file).
 */
async function nativeDownscale(bytes: Uint8Array, side: number): Promise<NativeDownscaled | null> {
  const { addon } = nativeJpeg();
  if (!addon || !plainJpeg(bytes)) return null;
  try {
    return await addon.downscaleAsync(bytes, side, JPEG_QUALITY, THUMBNAIL_SIZE, ownDecoder());
  } catch {
    return null;
  }
}

/** The prepared image of a native downscale: its thumbnail's pixels encoded as WebP. */
async function finishNative(n: NativeDownscaled, sourceSha256: string): Promise<PreparedImage> {
  const thumbnail = n.thumb
    ? await sharp(n.thumb, { raw: { width: n.thumbWidth, height: n.thumbHeight, channels: n.channels } })
        .webp(THUMBNAIL_WEBP)
        .toBuffer()
    : null;
  return {
    hash: sha256(n.jpeg),
    bytes: n.jpeg,
    mime: 'image/jpeg',
    width: n.width,
    height: n.height,
    thumbnail,
    meta: {},
    grouping: {},
    sourceSha256,
  };
}

/**
 * Decodes, de-identifies and normalises one image. At or under `maxSide` (default: kept as they
 * are) JPEG and PNG keep their compressed pixels with metadata segments removed and TIFF, BMP,
 * WebP, GIF, DICOM and raw pixels become PNG; larger ones are downscaled to `maxSide` on the long
 * side (bicubic, antialiased): JPEG stays JPEG (`JPEG_QUALITY`), the rest become PNG, a DICOM of
 * more than 8 stored bits a 16-bit grey PNG. Everything is fully decoded once (for the
 * thumbnail), so a truncated or renamed non-image fails here.
 */
export async function prepareImage(
  source: ImageSource,
  options: { dicomFrame?: number; maxSide?: MaxSide } = {},
): Promise<PreparedImage> {
  const name = sourceName(source);
  const maxSide = options.maxSide ?? 'original';
  try {
    if (source.kind === 'pixels') {
      const stored = await storeRaw(source, maxSide);
      return await finish(stored.bytes, 'image/png', stored, true, {}, {}, sha256(source.data));
    }
    const bytes = await readSource(source);
    if (bytes.length === 0) throw new ImageError('unreadable', 'the image file is empty');
    const sourceSha256 = sha256(bytes);
    const kind = sniffImage(bytes, name);
    if (kind === null) {
      throw new ImageError(
        'unreadable',
        'not an image (its content is not JPEG, PNG, TIFF, BMP, WebP, GIF or DICOM)',
      );
    }
    if (kind === 'jpeg' || kind === 'png') {
      // A JPEG's size is in its frame header (8 bits, no sharp call); a PNG's depth decides its output.
      const md: { width?: number; height?: number; depth?: string; channels?: number } =
        (kind === 'jpeg' ? jpegSize(bytes) : null) ?? (await sharp(bytes).metadata());
      const side = storedSide(md.width ?? 0, md.height ?? 0, maxSide);
      const mime = kind === 'jpeg' ? 'image/jpeg' : 'image/png';
      if (side !== null) {
        const native = kind === 'jpeg' ? await nativeDownscale(bytes, side) : null;
        if (native) return await finishNative(native, sourceSha256);
        const wide = md.depth === 'ushort' && (md.channels ?? 1) <= 2;
        const stored = await downscaleFile(bytes, kind, side, wide);
        return await finish(stored.bytes, mime, stored, true, {}, {}, sourceSha256);
      }
      const stripped = kind === 'jpeg' ? stripJpegMetadata(bytes) : stripPngMetadata(bytes);
      const dims = md.width && md.height ? { width: md.width, height: md.height } : null;
      return await finish(stripped, mime, dims, false, {}, {}, sourceSha256);
    }
    if (kind === 'bmp') {
      const stored = await storeRaw(decodeBmp(bytes), maxSide);
      return await finish(stored.bytes, 'image/png', stored, true, {}, {}, sourceSha256);
    }
    if (kind === 'dicom') {
      // A file read here is handed over: its pixels are rendered in place.
      const d = await decodeDicom(bytes, options.dicomFrame, 16, source.kind === 'file');
      const stored = await storeRaw(d.image, maxSide);
      return await finish(stored.bytes, 'image/png', stored, true, d.meta, d.grouping, sourceSha256);
    }
    const { data, info } = await sharp(bytes, { failOn: 'truncated', pages: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels >= 3 ? 3 : 1;
    const rgb = info.channels === channels ? data : dropAlpha(data, info.channels, channels);
    const stored = await storeRaw({ width: info.width, height: info.height, channels, data: rgb }, maxSide);
    return await finish(stored.bytes, 'image/png', stored, true, {}, {}, sourceSha256);
  } catch (err) {
    if (err instanceof ImageError) throw err;
    if (err instanceof DicomError) throw new ImageError('unreadable', `DICOM: ${err.message}`);
    throw new ImageError('unreadable', `cannot be decoded (${(err as Error).message})`);
  }
}

function dropAlpha(data: Uint8Array, from: number, to: 1 | 3): Uint8Array {
  const n = data.length / from;
  const out = new Uint8Array(n * to);
  for (let i = 0; i < n; i++) for (let c = 0; c < to; c++) out[i * to + c] = data[i * from + c]!;
  return out;
}
