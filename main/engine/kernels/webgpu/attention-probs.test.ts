import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attentionProbs, opsProbs } from '#main/engine/kernels/attention-probs';
import { countPrograms, expectTwins, KERNEL_TOL, onBackend, seededTensor, twins } from './twins';

/** Fused webgpu attention probabilities against the tf-op composition on wasm. */

const t4 = seededTensor;

/** 0 where kept, -1e9 at the padded keys (the last `pad[b]` of example b). */
function mask(b: number, s: number, pad: number[]): tf.Tensor {
  const m = new Float32Array(b * s);
  for (let i = 0; i < b; i++) for (let j = s - pad[i]!; j < s; j++) m[i * s + j] = -1e9;
  return tf.tensor(m, [b, 1, 1, s]);
}

describe('fused attention probabilities on webgpu equal the tf ops on wasm', () => {
  for (const [what, [b, h, t, s, hd], biasKind, drop] of [
    ['position bias + padding mask, dropout', [2, 3, 5, 7, 6], 'full', true],
    ['padding mask only, no dropout, one query (decoding)', [3, 2, 1, 9, 5], 'mask', false],
    ['rows longer than a workgroup, head bias [H, T, S]', [1, 2, 3, 300, 4], 'heads', true],
  ] as const) {
    it(`${what}: probabilities and gradients for q, k and the bias`, async () => {
      const r = await twins(() => {
        const q = t4([b, h, t, hd], 1, 2) as tf.Tensor4D;
        const k = t4([b, h, s, hd], 2, 2) as tf.Tensor4D;
        const pos = t4([h, t, s], 3);
        const m = mask(b, s, [2, 0, 1]);
        const bias = biasKind === 'full' ? tf.add(pos, m) : biasKind === 'mask' ? m : pos;
        const keep = 0.9;
        const noise = tf.randomUniform([b, h, t, s], 0, 1, 'float32', 7);
        const mult = drop ? tf.div(tf.floor(tf.add(noise, keep)), keep) : undefined;
        const w = t4([b, h, t, s], 4);
        const f = (qq: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(attentionProbs(qq as tf.Tensor4D, kk as tf.Tensor4D, bb, mult, true), w));
        const p = attentionProbs(q, k, bias, mult, true);
        return [p, ...tf.grads(f)([q, k, bias])];
      });
      // The masked keys get probability 0 on both.
      if (b > 1) expect(r.webgpu[0]![s - 1]).toBe(0);
      console.log(`attention ${what}: worst rel ${expectTwins(r, KERNEL_TOL, what).toExponential(1)}`);
    });
  }

  it('forward and backward of one attention take fewer dispatches than the tf ops on webgpu', async () => {
    await onBackend('webgpu');
    const count = (fused: boolean) =>
      tf.tidy(() => {
        const [b, h, t, s, hd] = [2, 2, 3, 5, 4];
        const q = t4([b, h, t, hd], 1);
        const k = t4([b, h, s, hd], 2);
        const bias = tf.add(t4([h, t, s], 3), mask(b, s, [1, 0]));
        const mult = tf.div(tf.floor(tf.add(tf.randomUniform([b, h, t, s], 0, 1, 'float32', 7), 0.9)), 0.9);
        const w = t4([b, h, t, s], 4);
        const probs = (qq: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) =>
          fused
            ? attentionProbs(qq as tf.Tensor4D, kk as tf.Tensor4D, bb, mult, true)
            : opsProbs(qq, kk, bb, mult, true);
        const f = (qq: tf.Tensor, kk: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(probs(qq, kk, bb), w));
        // The products and the loss are common to both; what differs is the probabilities' part.
        return countPrograms(() => tf.grads(f)([q, k, bias])).programs;
      });
    const [fused, stock] = [count(true), count(false)];
    console.log(`attention probabilities forward + backward: ${fused} programs fused, ${stock} with tf ops`);
    expect(fused).toBeLessThanOrEqual(stock - 5);
  });
});
