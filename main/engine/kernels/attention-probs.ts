import * as tf from '@tensorflow/tfjs-core';
import { addLean, mulByConstant, unbroadcast } from './lean-ops';
import { hasEngineKernel } from './own-kernels';

/**
 * Attention probabilities in one kernel call: softmax(q kᵀ + bias) times the dropout multiplier,
 * where a fused kernel is registered (webgpu: ./webgpu/attention-probs.ts: one workgroup per
 * query row does the scores, the bias, the max, the exponentials, the sum and the dropout; its
 * gradient recomputes the row's softmax and gives d(scores) in one more, so the [B, H, T, S]
 * softmax is never kept). Elsewhere (wasm, cpu) it is the tf-op composition the model always
 * used, unchanged. Dropout: the multiplier (mask / keep) is one tensor made by tf ops from the
 * seed (tf.randomUniform draws on the CPU, so it is the same on every backend) and is an input
 * here, so both paths drop the same entries.
 */

export const ATTENTION_PROBS = 'BiomedAttentionProbs';
export const ATTENTION_PROBS_GRAD = 'BiomedAttentionProbsGrad';

/** Largest head size the fused kernel holds in workgroup memory. */
export const MAX_FUSED_HEAD = 256;

/** bias as a rank-4 shape and its element strides (0 along broadcast axes) over [B, H, T, S]. */
export function biasStrides(bias: readonly number[]): number[] {
  const s4 = [...Array(4 - bias.length).fill(1), ...bias] as number[];
  const strides = [0, 0, 0, 0];
  let acc = 1;
  for (let i = 3; i >= 0; i--) {
    strides[i] = s4[i] === 1 ? 0 : acc;
    acc *= s4[i]!;
  }
  return strides;
}

/** The tf-op composition (the twin; exported for the dispatch comparison in the tests). */
export function opsProbs(
  q: tf.Tensor,
  k: tf.Tensor,
  bias: tf.Tensor,
  mult: tf.Tensor | undefined,
  lean: boolean,
) {
  const scores = tf.matMul(q, k, false, true); // [B, H, T, S]
  const logits = lean ? addLean(scores, bias) : tf.add(scores, bias);
  const probs = tf.softmax(logits, -1);
  return mult ? mulByConstant(probs, mult) : probs;
}

/**
 * @param q    [B, H, T, hd] (already scaled)
 * @param k    [B, H, S, hd]
 * @param bias additive, broadcastable to [B, H, T, S] (position biases and masks)
 * @param mult dropout multiplier [B, H, T, S] (training), or none
 * @param lean training: the tf-op path keeps less for backward (same values)
 * @returns    [B, H, T, S]
 */
export function attentionProbs(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  bias: tf.Tensor,
  mult: tf.Tensor | undefined,
  lean: boolean,
): tf.Tensor4D {
  const fused = hasEngineKernel(ATTENTION_PROBS) && q.shape[3] <= MAX_FUSED_HEAD && bias.rank <= 4;
  if (!fused) return opsProbs(q, k, bias, mult, lean) as tf.Tensor4D;
  const [b, h, t] = q.shape;
  const outShape = [b, h, t, k.shape[2]];
  const attrs = { biasStrides: biasStrides(bias.shape) };
  const engine = tf.engine();
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [qq, kk, bb] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const inputs = { q: qq, k: kk, bias: bb, ...(mult ? { mult } : {}) };
    save(mult ? [qq, kk, bb, mult] : [qq, kk, bb]);
    return {
      value: engine.runKernel(ATTENTION_PROBS, inputs, attrs) as tf.Tensor,
      gradFunc: (dp: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [sq, sk, sb, sm] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor, tf.Tensor | undefined];
          const si = { q: sq, k: sk, bias: sb, ...(sm ? { mult: sm } : {}), dp };
          const ds = engine.runKernel(ATTENTION_PROBS_GRAD, si, attrs) as tf.Tensor4D; // [B, H, T, S]
          return [
            tf.matMul(ds, sk), // dq [B, H, T, hd]
            tf.matMul(ds, sq, true, false), // dk [B, H, S, hd]
            unbroadcast(ds, [...sb.shape], outShape),
          ];
        }),
    };
  });
  return f(q, k, bias) as tf.Tensor4D;
}
