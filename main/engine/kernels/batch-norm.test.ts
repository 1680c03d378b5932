import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { batchNormTrain } from './batch-norm';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused training BatchNorm on ${backend}`, () => {
    it('matches tf-op BatchNorm forward, statistics and all three gradients', async () => {
      const info = await initBackend({ prefer: backend, strict: true });
      expect(info.kernels).toContain(`BiomedBatchNorm:${backend}`);
      const x = tf.add(tf.randomNormal([3, 5, 4, 6], 0, 2, 'float32', 1), 1.5);
      const g = tf.randomNormal([6], 1, 0.3, 'float32', 2);
      const b = tf.randomNormal([6], 0, 0.3, 'float32', 3);
      const w = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 4);
      const r = batchNormTrain(x, g, b);
      expect(maxAbsDiff(r.y, reference(x, g, b))).toBeLessThan(1e-5);
      const m = tf.moments(x, [0, 1, 2]);
      expect(maxAbsDiff(r.mean, m.mean)).toBeLessThan(1e-5);
      expect(maxAbsDiff(r.variance, m.variance)).toBeLessThan(1e-5);
      const loss =
        (f: (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.Tensor) =>
        (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
          tf.tidy(() => tf.sum(tf.mul(f(a, c, d), w)) as tf.Scalar);
      const ours = tf.grads(loss((a, c, d) => batchNormTrain(a, c, d).y))([x, g, b]);
      const ref = tf.grads(loss(reference))([x, g, b]);
      ours.forEach((t, i) => {
        expect(maxAbsDiff(t, ref[i]!), `gradient ${i}`).toBeLessThan(2e-5);
      });
      const before = tf.memory().numTensors;
      tf.dispose(tf.grads(loss((a, c, d) => batchNormTrain(a, c, d).y))([x, g, b]));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, g, b, w, r.y, r.mean, r.variance, m.mean, m.variance, ...ours, ...ref]);
    });
  });
}
