import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { layerNorm } from './layer-norm';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function reference(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), g), b);
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused layerNorm on ${backend}`, () => {
    it('matches tf-op LayerNorm forward and all three gradients', async () => {
      const info = await initBackend({ prefer: backend, strict: true });
      expect(info.kernels).toContain(`BiomedLayerNorm:${backend}`);
      const x = tf.add(tf.randomNormal([3, 5, 24], 0, 2, 'float32', 1), 3);
      const g = tf.randomNormal([24], 1, 0.3, 'float32', 2);
      const b = tf.randomNormal([24], 0, 0.3, 'float32', 3);
      const w = tf.randomNormal([3, 5, 24], 0, 1, 'float32', 4);
      expect(maxAbsDiff(layerNorm(x, g, b), reference(x, g, b))).toBeLessThan(1e-5);
      const loss = (f: typeof layerNorm) => (xx: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) =>
        tf.tidy(() => tf.sum(tf.mul(f(xx, gg, bb), w)) as tf.Scalar);
      const ours = tf.grads(loss(layerNorm))([x, g, b]);
      const ref = tf.grads(loss(reference))([x, g, b]);
      ours.forEach((t, i) => {
        expect(t.shape).toEqual(ref[i]!.shape);
        expect(maxAbsDiff(t, ref[i]!), `gradient ${i}`).toBeLessThan(2e-5);
      });
      const before = tf.memory().numTensors;
      tf.dispose(tf.grads(loss(layerNorm))([x, g, b]));
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, g, b, w, ...ours, ...ref]);
    });
  });
}
