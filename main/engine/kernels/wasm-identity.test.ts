import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';

describe('wasm Identity sharing memory', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'wasm', strict: true });
    expect(info.kernels).toContain('Identity:shared-memory');
  });

  it('clones share data, survive the original, and free it with the last reference', () => {
    const before = tf.memory().numBytes;
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('keeps a variable independent of the tensor it was assigned from', () => {
    const v = tf.variable(tf.zeros([3]));
    const a = tf.tensor1d([1, 2, 3]);
    v.assign(a);
    a.dispose();
    expect(Array.from(v.dataSync())).toEqual([1, 2, 3]);
    v.assign(tf.add(v, 1));
    expect(Array.from(v.dataSync())).toEqual([2, 3, 4]);
    v.dispose();
  });

  it('gives the same gradients through saved (cloned) inputs', () => {
    const x = tf.tensor1d([0.5, -1, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.exp(t), t)) as tf.Scalar)(x);
    const expected = [0.5, -1, 2].map((v) => Math.exp(v) * (1 + v));
    for (const [i, v] of Array.from(g.dataSync()).entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    tf.dispose([x, g]);
  });
});
