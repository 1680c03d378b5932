import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { conv2d, conv2dIm2col } from './conv';

beforeAll(() => initBackend({ prefer: 'cpu', strict: true }));

describe('conv2d (im2col)', () => {
  const cases = [
    { k: 1, s: 1, p: 0, h: 6 },
    { k: 1, s: 2, p: 0, h: 7 },
    { k: 3, s: 1, p: 1, h: 6 },
    { k: 3, s: 2, p: 1, h: 7 },
    { k: 7, s: 2, p: 3, h: 10 },
  ] as const;
  for (const { k, s, p, h } of cases) {
    it(`matches tf.conv2d for k=${k} stride=${s} pad=${p} on ${h}x${h}`, () => {
      const x = tf.randomNormal([2, h, h + 1, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([5, 3, k, k], 0, 1, 'float32', 2); // torch [out, in, k, k]
      const ours = conv2dIm2col(x, w, s, p);
      expect(conv2d(x, w, s, p).shape).toEqual(ours.shape);
      const ref = tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, s, p);
      expect(ours.shape).toEqual(ref.shape);
      const diff = tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0] ?? 1;
      expect(diff).toBeLessThan(1e-4);
    });
  }
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`conv2d gradients on ${backend}`, () => {
    beforeAll(() => initBackend({ prefer: backend, strict: true }));
    it('native (where registered) and im2col paths give the same input and filter gradients', () => {
      const x = tf.randomNormal([2, 9, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const w = tf.randomNormal([4, 3, 3, 3], 0, 1, 'float32', 4);
      const dy = tf.randomNormal([2, 5, 5, 4], 0, 1, 'float32', 6);
      const grads = (f: typeof conv2d) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, b, 2, 1), dy)))([x, w]);
      const [gx1, gw1] = grads(conv2dIm2col);
      const [gx2, gw2] = grads(conv2d);
      expect(tf.max(tf.abs(tf.sub(gx1 as tf.Tensor, gx2 as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(tf.sub(gw1 as tf.Tensor, gw2 as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-4);
    });
  });
}
