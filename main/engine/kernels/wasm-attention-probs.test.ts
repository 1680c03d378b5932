import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD, attentionProbs, opsProbs } from './attention-probs';

const [B, H, T, S, HD] = [2, 3, 5, 7, 4];

const cases: Array<[string, number[], boolean]> = [
  ['key-padding mask [B, 1, 1, S] with dropout', [B, 1, 1, S], true],
  ['position bias [H, T, S] without dropout', [H, T, S], false],
];

describe('attention probabilities in one wasm kernel call each way', () => {
  for (const [what, biasShape, withDropout] of cases) {
    it(`equal the tf-op composition and its gradients bit for bit: ${what}`, async () => {
      await initBackend({ prefer: 'wasm', strict: true });
      const q = tf.randomNormal([B, H, T, HD], 0, 1, 'float32', 1) as tf.Tensor4D;
      const k = tf.randomNormal([B, H, S, HD], 0, 1, 'float32', 2) as tf.Tensor4D;
      const bias = tf.randomNormal(biasShape, 0, 1, 'float32', 3);
      const u = tf.randomUniform([B, H, T, S], 0, 1, 'float32', 4);
      const mult = withDropout ? tf.div(tf.floor(tf.add(u, 0.9)), 0.9) : undefined;
      const w = tf.randomNormal([B, H, T, S], 0, 1, 'float32', 5);
      const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        attentionProbs(a as tf.Tensor4D, b as tf.Tensor4D, c, mult, true);
      const ops = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => opsProbs(a, b, c, mult, true);
      const prof = await tf.profile(() => fused(q, k, bias));
      expect(prof.kernels.map((x) => x.name)).toContain(ATTENTION_PROBS);
      expect(prof.kernels.filter((x) => x.name === tf.Softmax)).toHaveLength(0);
      expect(fused(q, k, bias).dataSync()).toEqual(ops(q, k, bias).dataSync());
      const loss = (f: typeof ops) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(f(a, b, c), w)) as tf.Scalar;
      const gFused = tf.grads(loss(fused))([q, k, bias]);
      const gOps = tf.grads(loss(ops))([q, k, bias]);
      for (const [i, g] of gFused.entries())
        expect(g.dataSync(), `gradient ${i}`).toEqual(gOps[i]!.dataSync());
      const back = await tf.profile(() => tf.grads(loss(fused))([q, k, bias]));
      expect(back.kernels.filter((x) => x.name === ATTENTION_PROBS_GRAD)).toHaveLength(1);
      const before = tf.memory().numTensors;
      tf.dispose(tf.grads(loss(fused))([q, k, bias]));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
