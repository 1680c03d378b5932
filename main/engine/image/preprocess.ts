import { IMAGE_NORMS, type ImageNorm } from '#shared/task-hyperparameters';
import { resampleBicubic } from './resample';

/** A decoded image of any size and channel count (row-major, interleaved channels). */
export interface ImageInput {
  /** Uint8 in [0, 255], or Float32 in [0, 1]. */
  readonly data: Uint8Array | Float32Array;
  readonly width: number;
  readonly height: number;
  /** 1 (grey), 2 (grey + alpha), 3 (RGB), 4 (RGBA); other counts use their first channels. */
  readonly channels: number;
}

/** Why an image could not be used; thrown instead of crashing deeper in the model. */
export class ImageInputError extends Error {
  override readonly name = 'ImageInputError';
}

function check(img: ImageInput): void {
  const { width, height, channels, data } = img;
  for (const [k, v] of Object.entries({ width, height, channels })) {
    if (!Number.isInteger(v) || v <= 0)
      throw new ImageInputError(`image ${k} must be a positive integer, got ${v}`);
  }
  if (data.length !== width * height * channels) {
    throw new ImageInputError(
      `image data has ${data.length} values, expected ${width}x${height}x${channels}`,
    );
  }
}

/** Channel `k` (0..2) of RGB at pixel index `p`, in [0, 1] (grey is repeated; alpha and extra channels dropped). */
function rgbReader(img: ImageInput): (p: number, k: number) => number {
  const { data, channels: c } = img;
  const f = Math.fround;
  if (data instanceof Uint8Array) return (p, k) => f(data[p * c + (c >= 3 ? k : 0)]! / 255);
  return (p, k) => Math.min(1, Math.max(0, data[p * c + (c >= 3 ? k : 0)]!));
}

/** How an image becomes the model's input. */
export interface PreprocessOptions {
  /** `bicubic` (default): PIL's bicubic as the scripts resize; `bilinear`: tf.image.resizeBilinear's arithmetic. */
  readonly resize?: 'bicubic' | 'bilinear';
  /** Default `half` (mean = std = 0.5); `imagenet` for the MedMNIST scripts. */
  readonly norm?: ImageNorm;
}

/**
 * RGB, resized to size x size and normalised per channel ((x - mean) / std, x in [0, 1]), as the
 * scripts' `transforms.Resize((size, size), BICUBIC)`, `ToTensor()`, `Normalize(mean, std)` do.
 * Returns [size, size, 3] row-major. Plain host code: it runs before a batch reaches the device,
 * whatever the backend (WebGPU has no synchronous read).
 */
export function preprocessImage(img: ImageInput, size: number, opts: PreprocessOptions = {}): Float32Array {
  check(img);
  const resized =
    (opts.resize ?? 'bicubic') === 'bicubic' ? resizeBicubic(img, size) : resizeBilinear(img, size);
  const { mean, std } = IMAGE_NORMS[opts.norm ?? 'half'];
  const out = new Float32Array(resized.length);
  for (let i = 0; i < resized.length; i++) {
    const k = i % 3;
    out[i] = Math.fround(((resized[i] as number) - (mean[k] as number)) / (std[k] as number));
  }
  return out;
}

/** PIL bicubic per channel (8-bit fixed point for Uint8 input), in [0, 1], [size, size, 3]. */
function resizeBicubic(img: ImageInput, size: number): Float32Array {
  const { width: w, height: h } = img;
  const eightBit = img.data instanceof Uint8Array;
  const at = rgbReader(img);
  const out = new Float32Array(size * size * 3);
  for (let k = 0; k < 3; k++) {
    const plane = new Float64Array(w * h);
    for (let p = 0; p < plane.length; p++) plane[p] = eightBit ? Math.round(at(p, k) * 255) : at(p, k);
    const r = resampleBicubic(plane, w, h, size, size, eightBit);
    for (let p = 0; p < size * size; p++)
      out[p * 3 + k] = Math.fround((r[p] as number) / (eightBit ? 255 : 1));
  }
  return out;
}

/** Bilinear with half-pixel centres (tf.image.resizeBilinear, alignCorners false), in [0, 1], [size, size, 3]. */
function resizeBilinear(img: ImageInput, size: number): Float32Array {
  const { width: w, height: h } = img;
  const at = rgbReader(img);
  const out = new Float32Array(size * size * 3);
  const ry = h / size;
  const rx = w / size;
  for (let r = 0; r < size; r++) {
    const fy = ry * (r + 0.5) - 0.5;
    const y0 = Math.max(0, Math.floor(fy));
    const y1 = Math.min(h - 1, Math.ceil(fy));
    const dy = fy - y0;
    for (let q = 0; q < size; q++) {
      const fx = rx * (q + 0.5) - 0.5;
      const x0 = Math.max(0, Math.floor(fx));
      const x1 = Math.min(w - 1, Math.ceil(fx));
      const dx = fx - x0;
      for (let k = 0; k < 3; k++) {
        const tl = at(y0 * w + x0, k);
        const top = tl + (at(y0 * w + x1, k) - tl) * dx;
        const bl = at(y1 * w + x0, k);
        const bottom = bl + (at(y1 * w + x1, k) - bl) * dx;
        out[(r * size + q) * 3 + k] = Math.fround(top + (bottom - top) * dy);
      }
    }
  }
  return out;
}
