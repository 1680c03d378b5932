import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { type AdamWScalars, FUSED_ADAMW, fusedAdamW, registerFusedAdamW } from './adamw-fused';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The op-by-op reference (main/engine/train/adamw.ts with the gradient scaled first). */
function reference(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor | undefined,
  v: tf.Tensor | undefined,
  s: AdamWScalars,
) {
  return tf.tidy(() => {
    const gs = tf.mul(g, s.gradScale);
    const m1 = tf.add(tf.mul(m ?? tf.zerosLike(g), s.beta1), tf.mul(gs, 1 - s.beta1));
    const v1 = tf.add(tf.mul(v ?? tf.zerosLike(g), s.beta2), tf.mul(tf.square(gs), 1 - s.beta2));
    let next: tf.Tensor = tf.sub(p, tf.mul(p, s.decayRate));
    next = tf.sub(next, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), s.eps)), s.stepSize));
    return [next, m1, v1];
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused AdamW on ${backend}`, () => {
    beforeAll(async () => {
      await initBackend({ prefer: backend, strict: true });
      registerFusedAdamW();
      expect(tf.getKernel(FUSED_ADAMW, backend)).toBeDefined();
    });

    it('matches the op-by-op update over three steps, from zero moments', () => {
      let p = tf.randomNormal([37, 11], 0, 1, 'float32', 1);
      let pr = tf.clone(p);
      let m: tf.Tensor | undefined;
      let v: tf.Tensor | undefined;
      let mr: tf.Tensor | undefined;
      let vr: tf.Tensor | undefined;
      for (let t = 1; t <= 3; t++) {
        const g = tf.randomNormal([37, 11], 0, 0.1, 'float32', 10 + t);
        const lr = 1e-3;
        const s: AdamWScalars = {
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          decayRate: lr * 0.01,
          stepSize: (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t),
          gradScale: 0.37,
        };
        const [p1, m1, v1] = fusedAdamW(p, g, m, v, s);
        const [p2, m2, v2] = reference(pr, g, mr, vr, s) as [tf.Tensor, tf.Tensor, tf.Tensor];
        expect(maxAbsDiff(m1, m2)).toBeLessThan(1e-7);
        expect(maxAbsDiff(v1, v2)).toBeLessThan(1e-9);
        expect(maxAbsDiff(p1, p2)).toBeLessThan(1e-6);
        // The update actually moved the weights.
        expect(maxAbsDiff(p1, p)).toBeGreaterThan(1e-4);
        tf.dispose([p, pr, g, ...(m ? [m, v!, mr!, vr!] : [])]);
        [p, m, v, pr, mr, vr] = [p1, m1, v1, p2, m2, v2];
      }
      tf.dispose([p, m!, v!, pr, mr!, vr!]);
    });
  });
}
