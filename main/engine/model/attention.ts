import * as tf from '@tensorflow/tfjs-core';
import { attentionProbs } from '#main/engine/kernels/attention-probs';
import { headDim } from '#shared/model/config';
import type { ForwardContext } from './context';
import { dropoutMultiplier, linear, scale } from './ops';
import { weight } from './weights';

/** Keys and values of one attention, split into heads. */
export interface KeyValue {
  readonly k: tf.Tensor4D; // [B, H, S, hd]
  readonly v: tf.Tensor4D; // [B, H, S, hd]
}

/** [B, T, d] -> [B, H, T, hd] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [b, t, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** Projects keys and values of `x` ([B, S, d]) for the attention under `prefix`. */
export function projectKeyValue(ctx: ForwardContext, prefix: string, x: tf.Tensor): KeyValue {
  const h = ctx.config.heads;
  return {
    k: splitHeads(linear(ctx, `${prefix}.k_proj`, x), h), // [B, H, S, hd]
    v: splitHeads(linear(ctx, `${prefix}.v_proj`, x), h), // [B, H, S, hd]
  };
}

/**
 * OFA's multi-head attention: q scaled by (headDim * attnScaleFactor)^-0.5, logits + bias + mask,
 * softmax, attention dropout, per-head gain `c_attn` before `out_proj`.
 * @param query [B, T, d] (already layer-normed)
 * @param kv    keys/values [B, H, S, hd]
 * @param bias  additive, broadcastable to [B, H, T, S] (position biases and masks)
 * @returns     [B, T, d]
 */
export function attention(
  ctx: ForwardContext,
  prefix: string,
  query: tf.Tensor,
  kv: KeyValue,
  bias: tf.Tensor,
): tf.Tensor {
  const { heads, attnScaleFactor, attentionDropout } = ctx.config;
  const [b, t, d] = query.shape as [number, number, number];
  const scaling = (headDim(ctx.config) * attnScaleFactor) ** -0.5;
  const q = splitHeads(scale(ctx, linear(ctx, `${prefix}.q_proj`, query), scaling), heads); // [B, H, T, hd]
  const mult = dropoutMultiplier(ctx, [b, heads, t, kv.k.shape[2]], attentionDropout); // [B, H, T, S]
  // softmax(q kᵀ + bias) * mult: one fused kernel on webgpu, the tf ops elsewhere.
  const probs = attentionProbs(q, kv.k, bias, mult, ctx.training); // [B, H, T, S]
  let out = tf.matMul(probs, kv.v); // [B, H, T, hd]
  out = tf.mul(out, tf.reshape(weight(ctx.weights, `${prefix}.c_attn`), [1, heads, 1, 1])); // scale_heads
  const merged = tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, t, d]); // [B, T, d]
  return linear(ctx, `${prefix}.out_proj`, merged);
}

/**
 * The disentangled absolute-position bias (W_q LN(P_q))(W_k LN(P_k))^T * (d/H * 2)^-0.5.
 * @param posQ [T, d] layer-normed query positions
 * @param posK [S, d] layer-normed key positions
 * @returns    [H, T, S]
 */
export function absPosBias(
  ctx: ForwardContext,
  qPrefix: string,
  kPrefix: string,
  posQ: tf.Tensor,
  posK: tf.Tensor,
): tf.Tensor3D {
  const { heads, dModel, attnScaleFactor } = ctx.config;
  const scaling = ((dModel / heads) * attnScaleFactor) ** -0.5;
  const q = tf.mul(linear(ctx, qPrefix, tf.expandDims(posQ, 0)), scaling); // [1, T, d]
  const k = linear(ctx, kPrefix, tf.expandDims(posK, 0)); // [1, S, d]
  const bias = tf.matMul(splitHeads(q, heads), splitHeads(k, heads), false, true); // [1, H, T, S]
  return tf.squeeze(bias, [0]) as tf.Tensor3D;
}

/** Additive key-padding mask [B, 1, 1, S]: 0 where kept, -1e9 at padding (exp underflows to 0 as -inf). */
export function keyPaddingMask(pad: tf.Tensor2D): tf.Tensor4D {
  const [b, s] = pad.shape;
  return tf.reshape(tf.mul(tf.cast(pad, 'float32'), -1e9), [b, 1, 1, s]);
}
