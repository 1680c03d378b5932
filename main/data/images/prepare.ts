import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { DicomError, decodeDicom } from '#main/data/dicom/decode';
import type { GroupingKeys } from '#main/data/dicom/deidentify';
import type { ImageSource } from '#main/data/types';
import type { ExampleMeta } from '#shared/domain/dataset';
import { decodeBmp, type RawImage } from './bmp';
import { encodePng } from './png';
import { sniffImage } from './sniff';
import { stripJpegMetadata, stripPngMetadata } from './strip';

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
  if (raw.data.length !== raw.width * raw.height * raw.channels) {
    throw new ImageError(
      'unreadable',
      `pixel buffer has ${raw.data.length} bytes for ${raw.width}x${raw.height}x${raw.channels}`,
    );
  }
  return encodePng(raw.width, raw.height, raw.channels, raw.data);
}

async function finish(
  stored: Uint8Array,
  mime: PreparedImage['mime'],
  size: { width: number; height: number } | null,
  meta: ExampleMeta,
  grouping: GroupingKeys,
): Promise<PreparedImage> {
  const hash = createHash('sha256').update(stored).digest('hex');
  let dims = size;
  let thumbnail: Uint8Array | null = null;
  if (!dims || Math.max(dims.width, dims.height) > THUMBNAIL_SIZE) {
    // The full decode (thumbnail) is what proves a JPEG or PNG is not truncated.
    const { data, info } = await sharp(stored, { failOn: 'truncated' })
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer({ resolveWithObject: true });
    if (!dims) {
      const md = await sharp(stored).metadata();
      dims = { width: md.width ?? info.width, height: md.height ?? info.height };
    }
    if (Math.max(dims.width, dims.height) > THUMBNAIL_SIZE) thumbnail = data;
  }
  return { hash, bytes: stored, mime, width: dims.width, height: dims.height, thumbnail, meta, grouping };
}

/**
 * Decodes, de-identifies and normalises one image: JPEG and PNG keep their compressed pixels with
 * metadata segments removed; TIFF, BMP, WebP, GIF, DICOM and raw pixels become PNG. Everything is
 * fully decoded once (for the thumbnail), so a truncated or renamed non-image fails here.
 */
export async function prepareImage(
  source: ImageSource,
  options: { dicomFrame?: number } = {},
): Promise<PreparedImage> {
  const name = sourceName(source);
  try {
    if (source.kind === 'pixels') {
      return await finish(
        fromRaw(source),
        'image/png',
        { width: source.width, height: source.height },
        {},
        {},
      );
    }
    const bytes = await readSource(source);
    if (bytes.length === 0) throw new ImageError('unreadable', 'the image file is empty');
    const kind = sniffImage(bytes, name);
    if (kind === null) {
      throw new ImageError(
        'unreadable',
        'not an image (its content is not JPEG, PNG, TIFF, BMP, WebP, GIF or DICOM)',
      );
    }
    if (kind === 'jpeg') return await finish(stripJpegMetadata(bytes), 'image/jpeg', null, {}, {});
    if (kind === 'png') return await finish(stripPngMetadata(bytes), 'image/png', null, {}, {});
    if (kind === 'bmp') {
      const raw = decodeBmp(bytes);
      return await finish(fromRaw(raw), 'image/png', raw, {}, {});
    }
    if (kind === 'dicom') {
      const d = await decodeDicom(bytes, options.dicomFrame);
      return await finish(fromRaw(d.image), 'image/png', d.image, d.meta, d.grouping);
    }
    const { data, info } = await sharp(bytes, { failOn: 'truncated', pages: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels >= 3 ? 3 : 1;
    const rgb = info.channels === channels ? data : dropAlpha(data, info.channels, channels);
    return await finish(
      fromRaw({ width: info.width, height: info.height, channels, data: rgb }),
      'image/png',
      info,
      {},
      {},
    );
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
