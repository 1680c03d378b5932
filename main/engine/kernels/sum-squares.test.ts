import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { registerSumSquares, sumSquares } from './sum-squares';

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`sumSquares on ${backend}`, () => {
    it('equals the tf-op global norm squared', async () => {
      await initBackend({ prefer: backend, strict: true });
      registerSumSquares();
      const xs = [
        tf.randomNormal([13, 7], 0, 1, 'float32', 1),
        tf.randomNormal([100], 0, 3, 'float32', 2),
        tf.scalar(2),
      ];
      const ref = tf.tidy(() => tf.addN(xs.map((x) => tf.sum(tf.square(x)))).dataSync()[0]!);
      const before = tf.memory().numTensors;
      const ours = await sumSquares(xs);
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(ours - ref) / ref).toBeLessThan(1e-6);
      expect(ours).toBeGreaterThan(4);
      tf.dispose(xs);
    });
  });
}
