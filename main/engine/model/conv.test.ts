import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { conv2d } from './conv';

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
      const ours = conv2d(x, w, s, p);
      const ref = tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, s, p);
      expect(ours.shape).toEqual(ref.shape);
      const diff = tf.max(tf.abs(tf.sub(ours, ref))).dataSync()[0] ?? 1;
      expect(diff).toBeLessThan(1e-4);
    });
  }
});
