import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { gelu } from './gelu';
import { wasmOps } from './wasm-ops';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const reference = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`recomputing gelu on ${backend}`, () => {
    it('equals the erf formulation and its gradient (bit for bit but for wasm single-pass), keeps nothing but its input', async () => {
      await initBackend({ prefer: backend, strict: true });
      const x = tf.randomNormal([7, 33], 0, 3, 'float32', 1);
      const w = tf.randomNormal([7, 33], 0, 1, 'float32', 2);
      const loss = (f: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) =>
        tf.tidy(() => tf.sum(tf.mul(f(t), w)) as tf.Scalar);
      if (wasmOps(tf.backend())) {
        // wasm's single-pass kernel (own SIMD exp with tfjs' erf formula): within 2e-6 (wasm-gelu.test.ts bounds
        // it against float64; BIOMED_WASM_OPS=composed there is the bit-identical form)
        expect(maxAbsDiff(gelu(x), reference(x))).toBeLessThan(2e-6);
        expect(maxAbsDiff(tf.grad(loss(gelu))(x), tf.grad(loss(reference))(x))).toBeLessThan(2e-6);
      } else {
        expect(maxAbsDiff(gelu(x), reference(x))).toBe(0);
        // bit-identical: the backward pass runs the kernels of tfjs' gradients of the reference
        expect(tf.grad(loss(gelu))(x).dataSync()).toEqual(tf.grad(loss(reference))(x).dataSync());
      }
      // torch: gelu(1) = 0.8413447, gelu'(0) = 0.5
      expect(gelu(tf.tensor1d([1])).dataSync()[0]).toBeCloseTo(0.8413447, 5);
      expect(
        tf
          .grad((t: tf.Tensor) => tf.sum(gelu(t)) as tf.Scalar)(tf.tensor1d([0]))
          .dataSync()[0],
      ).toBeCloseTo(0.5, 6);
      const before = tf.memory().numTensors;
      tf.grad(loss(gelu))(x).dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}
