import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { labelSmoothedLoss } from '#main/engine/train/loss';
import { labelSmoothedCE } from './label-smoothed-ce';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused label-smoothed cross-entropy on ${backend}`, () => {
    it('matches main/engine/train/loss.ts (with and without allowed masks, eps 0 and 0.1, pad rows)', async () => {
      const info = await initBackend({ prefer: backend, strict: true });
      expect(info.kernels).toContain(`BiomedLabelSmoothedCE:${backend}`);
      const [b, t, v] = [3, 4, 50];
      const logits = tf.randomNormal([b, t, v], 0, 3, 'float32', 1) as tf.Tensor3D;
      // Row (0, 3) and (2, 0) are <pad> (id 1): ignored.
      const targets = tf.tensor2d(
        [
          [5, 7, 9, 1],
          [0, 2, 49, 3],
          [1, 4, 4, 10],
        ],
        [b, t],
        'int32',
      );
      const allowedVals = new Float32Array(b * t * v);
      for (let r = 0; r < b * t; r++) {
        for (const j of [0, 2, 3, 4, 5, 7, 9, 10, 49, r % v]) allowedVals[r * v + j] = 1;
      }
      const allowed = tf.tensor3d(allowedVals, [b, t, v]);
      for (const eps of [0, 0.1]) {
        for (const mask of [undefined, allowed]) {
          const ref = labelSmoothedLoss(logits, targets, eps, mask);
          const ours = labelSmoothedCE(logits, targets, eps, mask)!;
          expect(
            Math.abs(ours.dataSync()[0]! - ref.dataSync()[0]!),
            `loss eps ${eps} mask ${!!mask}`,
          ).toBeLessThan(1e-3);
          const g0 = tf.grad((z: tf.Tensor) => labelSmoothedLoss(z as tf.Tensor3D, targets, eps, mask))(
            logits,
          );
          const g1 = tf.grad((z: tf.Tensor) => labelSmoothedCE(z, targets, eps, mask)!)(logits);
          expect(maxAbsDiff(g0, g1), `grad eps ${eps} mask ${!!mask}`).toBeLessThan(1e-5);
          tf.dispose([ref, ours, g0, g1]);
        }
      }
      const before = tf.memory().numTensors;
      tf.grad((z: tf.Tensor) => tf.tidy(() => labelSmoothedCE(z, targets, 0.1, allowed)!))(logits).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([logits, targets, allowed]);
    });
  });
}
