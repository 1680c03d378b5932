import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { ImageInputError, preprocessImage } from './preprocess';

beforeAll(() => initBackend({ prefer: 'cpu', strict: true }));

describe('preprocessImage', () => {
  it('converts any channel count to normalised RGB of the preset size', () => {
    for (const channels of [1, 2, 3, 4, 5]) {
      const data = new Uint8Array(7 * 5 * channels).fill(255);
      const out = preprocessImage({ data, width: 7, height: 5, channels }, 8);
      expect(out).toHaveLength(8 * 8 * 3);
      expect(Math.min(...out)).toBeCloseTo(1, 5);
    }
  });
  it('maps black to -1 and keeps float input in [0, 1]', () => {
    const out = preprocessImage({ data: new Float32Array(4 * 4 * 3), width: 4, height: 4, channels: 3 }, 2);
    expect(Array.from(out)).toEqual(new Array(12).fill(-1));
  });
  it('keeps the colour of a pure red pixel', () => {
    const out = preprocessImage({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1, channels: 3 }, 3);
    expect(Array.from(out.slice(0, 3))).toEqual([1, -1, -1]);
  });
  it('equals tf.image.resizeBilinear (half-pixel centres) on any channel count', () => {
    for (const [w, h, c, size] of [
      [7, 5, 1, 8],
      [13, 9, 3, 6],
      [4, 4, 4, 11],
      [3, 8, 2, 5],
    ] as const) {
      const data = Uint8Array.from({ length: w * h * c }, (_, i) => (i * 37 + 11) % 256);
      const ours = preprocessImage({ data, width: w, height: h, channels: c }, size, { resize: 'bilinear' });
      const ref = tf.tidy(() => {
        const unit = tf.div(tf.tensor3d(Float32Array.from(data), [h, w, c]), 255);
        const rgb =
          c >= 3
            ? tf.slice(unit, [0, 0, 0], [h, w, 3])
            : tf.tile(tf.slice(unit, [0, 0, 0], [h, w, 1]), [1, 1, 3]);
        const resized = tf.image.resizeBilinear(rgb as tf.Tensor3D, [size, size], false, true);
        return tf.sub(tf.mul(resized, 2), 1).dataSync();
      });
      let max = 0;
      for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs((ours[i] ?? 0) - (ref[i] ?? 0)));
      expect(max).toBeLessThan(1e-6);
    }
  });
  it('rejects inconsistent input with a clear error instead of crashing', () => {
    expect(() => preprocessImage({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 8)).toThrow(
      ImageInputError,
    );
    expect(() => preprocessImage({ data: new Uint8Array(0), width: 0, height: 4, channels: 3 }, 8)).toThrow(
      /width/,
    );
  });
});
