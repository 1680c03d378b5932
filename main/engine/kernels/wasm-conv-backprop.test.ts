import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';

type Case = { x: number[]; k: number; o: number; stride: 1 | 2; pad: number | 'same' | 'valid' };
const cases: Case[] = [
  { x: [2, 13, 11, 3], k: 7, o: 5, stride: 2, pad: 3 }, // ResNet stem, odd sizes
  { x: [2, 8, 8, 4], k: 3, o: 6, stride: 1, pad: 1 },
  { x: [1, 9, 9, 4], k: 3, o: 4, stride: 2, pad: 1 },
  { x: [3, 6, 6, 5], k: 1, o: 7, stride: 2, pad: 0 },
  { x: [2, 5, 6, 8], k: 1, o: 3, stride: 1, pad: 0 }, // pointwise: no im2col
  { x: [1, 7, 5, 2], k: 3, o: 3, stride: 2, pad: 'same' },
];

/** Output, dx and dW of sum(conv2d(x, w) * r) on the current backend. */
function run(c: Case): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x as [number, number, number, number], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([c.k, c.k, c.x[3]!, c.o], 0, 1, 'float32', 2) as tf.Tensor4D;
    const pad =
      typeof c.pad === 'number'
        ? ([
            [0, 0],
            [c.pad, c.pad],
            [c.pad, c.pad],
            [0, 0],
          ] as [[number, number], [number, number], [number, number], [number, number]])
        : c.pad;
    const y = tf.conv2d(x, w, c.stride, pad);
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const [dx, dw] = tf.grads(
      (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, pad), r)) as tf.Scalar,
    )([x, w]);
    return [y, dx!, dw!].map((t) => Array.from(t.dataSync()));
  });
}

describe('wasm conv2d gradients (Conv2DBackpropFilter / Conv2DBackpropInput)', () => {
  it('match the JS backend for stem, 3x3, strided, 1x1 and same-padded convolutions', async () => {
    await initBackend({ prefer: 'cpu', strict: true });
    const expected = cases.map(run);
    const info = await initBackend({ prefer: 'wasm', strict: true });
    expect(info.kernels).toContain('Conv2DBackpropFilter:im2col-xnnpack');
    cases.forEach((c, i) => {
      const got = run(c);
      got.forEach((arr, j) => {
        const ref = expected[i]![j]!;
        expect(arr.length).toBe(ref.length);
        const diff = Math.max(...arr.map((v, q) => Math.abs(v - ref[q]!)));
        expect(diff, `case ${i} output ${j}`).toBeLessThan(1e-4);
      });
    });
  });
});
