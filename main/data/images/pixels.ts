import sharp from 'sharp';
import { IMAGE_NORMS } from '#shared/task-hyperparameters';

export { IMAGE_NORMS } from '#shared/task-hyperparameters';

/** Model-ready pixels: `[size, size, 3]` floats, row-major, channels last. */
export interface ImageTensorData {
  readonly size: number;
  readonly data: Float32Array;
}

/**
 * Turns stored image bytes (a blob) into model input: bicubic resize to `size`×`size` (aspect not
 * kept, as OFA does), RGB, then `(x/255 - mean) / std`. For the engine and the jobs.
 */
export async function imageToTensorData(
  bytes: Uint8Array,
  size: number,
  norm: keyof typeof IMAGE_NORMS = 'half',
): Promise<ImageTensorData> {
  const raw = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .resize(size, size, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const { mean, std } = IMAGE_NORMS[norm];
  const data = new Float32Array(size * size * 3);
  const channels = raw.length / (size * size);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) {
      const v = raw[i * channels + (channels === 1 ? 0 : c)]! / 255;
      data[i * 3 + c] = (v - mean[c]!) / std[c]!;
    }
  }
  return { size, data };
}

/** Decoded pixels of a stored image (8-bit, interleaved): the engine's `ImageInput`. */
export interface DecodedPixels {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/**
 * Decodes stored image bytes (a blob: PNG or JPEG) to raw 8-bit pixels at their own size, grey
 * images with one channel. Pass the result as `image` of an engine `Example`; the engine resizes
 * and normalises.
 */
export async function decodeStoredImage(bytes: Uint8Array): Promise<DecodedPixels> {
  const md = await sharp(bytes).metadata();
  const grey = (md.channels ?? 3) <= 2;
  const img = grey ? sharp(bytes).extractChannel(0) : sharp(bytes).removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: info.channels,
  };
}
