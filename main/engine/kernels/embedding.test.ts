import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerGradients } from '#main/engine/backend/gradients';
import { embeddingLookup } from './embedding';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('embeddingLookup', () => {
  beforeAll(async () => {
    await registerGradients();
    await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('matches tf.gather forward and gradient, repeated ids included', () => {
    const vocab = 50;
    const dim = 12;
    const table = tf.randomNormal([vocab, dim], 0, 1, 'float32', 7) as tf.Tensor2D;
    // [2, 6] with ids 3 and 0 repeated, so the gradient must sum rows.
    const ids = tf.tensor2d(
      [
        [3, 0, 49, 3, 7, 3],
        [0, 1, 2, 3, 48, 0],
      ],
      [2, 6],
      'int32',
    );
    const weights = tf.randomNormal([2, 6, dim], 0, 1, 'float32', 11);
    const loss = (f: (t: tf.Tensor2D) => tf.Tensor) => (t: tf.Tensor) =>
      tf.sum(tf.mul(f(t as tf.Tensor2D), weights)) as tf.Scalar;

    const ours = embeddingLookup(table, ids);
    const ref = tf.gather(table, ids);
    expect(ours.shape).toEqual([2, 6, dim]);
    expect(maxAbsDiff(ours, ref)).toBeLessThan(1e-6);

    const gOurs = tf.grad(loss((t) => embeddingLookup(t, ids)))(table);
    const gRef = tf.grad(loss((t) => tf.gather(t, ids)))(table);
    expect(gOurs.shape).toEqual([vocab, dim]);
    expect(maxAbsDiff(gOurs, gRef)).toBeLessThan(1e-6);
    // Row 3 appears three times: its gradient is the sum of three weight rows, not one.
    const row = (t: tf.Tensor, b: number, i: number) =>
      tf.reshape(tf.slice(t, [b, i, 0], [1, 1, dim]), [dim]);
    const row3 = tf.reshape(tf.slice(gOurs, [3, 0], [1, dim]), [dim]);
    const expected = tf.addN([
      row(weights, 0, 0),
      row(weights, 0, 3),
      row(weights, 0, 5),
      row(weights, 1, 3),
    ]);
    expect(maxAbsDiff(row3, expected)).toBeLessThan(1e-5);
    // Untouched rows get exactly zero.
    expect(tf.tidy(() => tf.max(tf.abs(tf.slice(gOurs, [20, 0], [1, dim]))).dataSync()[0])).toBe(0);
    tf.dispose([table, ids, weights, ours, ref, gOurs, gRef, row3, expected]);
  });

  it('survives a tidy around the forward pass and leaks no tensors', () => {
    const table = tf.randomNormal([30, 4]) as tf.Tensor2D;
    const ids = tf.tensor1d([1, 2, 2, 29], 'int32');
    const before = tf.memory().numTensors;
    // The tidy inside the loss disposes every forward intermediate before backprop runs.
    const g = tf.grad((t: tf.Tensor) =>
      tf.tidy(() => tf.sum(embeddingLookup(t as tf.Tensor2D, ids)) as tf.Scalar),
    )(table);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([table, ids]);
  });
});
