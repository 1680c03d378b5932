import * as tf from '@tensorflow/tfjs-core';

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

/** The image as an RGB float tensor in [0, 1]: [H, W, 3]. */
function toRgb(img: ImageInput): tf.Tensor3D {
  const { width: w, height: h, channels: c } = img;
  return tf.tidy(() => {
    const raw = tf.tensor3d(Float32Array.from(img.data), [h, w, c]); // [H, W, C]
    const unit = img.data instanceof Uint8Array ? tf.div(raw, 255) : tf.clipByValue(raw, 0, 1);
    if (c === 3) return unit as tf.Tensor3D;
    if (c < 3) {
      const grey = tf.slice(unit, [0, 0, 0], [h, w, 1]); // alpha of grey+alpha dropped
      return tf.tile(grey, [1, 1, 3]) as tf.Tensor3D;
    }
    return tf.slice(unit, [0, 0, 0], [h, w, 3]) as tf.Tensor3D; // RGBA and beyond: first three
  });
}

/**
 * RGB, resized bilinearly to size x size (half-pixel centres), normalised with mean = std = 0.5
 * (values in [-1, 1]). Returns [size, size, 3] row-major.
 */
export function preprocessImage(img: ImageInput, size: number): Float32Array {
  check(img);
  return tf.tidy(() => {
    const rgb = toRgb(img);
    const resized = tf.image.resizeBilinear(rgb, [size, size], false, true); // [size, size, 3]
    return tf.sub(tf.mul(resized, 2), 1).dataSync() as Float32Array;
  });
}
