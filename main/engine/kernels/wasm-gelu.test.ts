import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { GELU, GELU_GRAD, gelu } from './gelu';

const reference = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

describe('GELU in one kernel call each way on wasm', () => {
  it('equals the erf formulation and its gradient bit for bit', async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    const x = tf.randomNormal([13, 40], 0, 3, 'float32', 1);
    const w = tf.randomNormal([13, 40], 0, 1, 'float32', 2);
    const prof = await tf.profile(() => gelu(x));
    expect(prof.kernels.map((k) => k.name)).toContain(GELU);
    expect(prof.kernels.filter((k) => k.name === tf.Erf)).toHaveLength(0);
    expect(gelu(x).dataSync()).toEqual(reference(x).dataSync());
    const loss = (f: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.mul(f(t), w)) as tf.Scalar;
    const back = await tf.profile(() => tf.grad(loss(gelu))(x));
    expect(back.kernels.filter((k) => k.name === GELU_GRAD)).toHaveLength(1);
    expect(back.kernels.filter((k) => k.name === tf.Exp)).toHaveLength(0);
    expect(tf.grad(loss(gelu))(x).dataSync()).toEqual(tf.grad(loss(reference))(x).dataSync());
    const before = tf.memory().numTensors;
    tf.grad(loss(gelu))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
