import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from './context';
import {
  addLayerNorm,
  dropout,
  dropPath,
  layerNorm,
  linear,
  linearGelu,
  linearResidual,
  type Normed,
} from './ops';

/** Linearly rising stochastic depth: 0 at the first layer, config.dropPath at the last. */
export function dropPathRate(ctx: ForwardContext, layer: number, layers: number): number {
  return layers > 1 ? (ctx.config.dropPath * layer) / (layers - 1) : 0;
}

/**
 * The LayerNorm that reads the residual stream leaving layer `i` of `layers`: the next layer's
 * self_attn_layer_norm, or after the last layer the stack's final `${stack}.layer_norm`. The
 * model is pre-LN (encoder/decoder_normalize_before), so every residual join is followed by a
 * LayerNorm, across the layer boundary too, and the two run as one kernel (addLayerNorm).
 */
export function nextLayerNorm(stack: 'encoder' | 'decoder', i: number, layers: number): string {
  return i + 1 < layers ? `${stack}.layers.${i + 1}.self_attn_layer_norm` : `${stack}.layer_norm`;
}

/**
 * The NormFormer FFN sub-block with its residual: x + dropPath(fc2(LN_f(gelu(fc1(LN(x)))))),
 * where `s.h` is LN(x) = final_layer_norm(s.x); returns the sum and its LayerNorm `next`.
 */
export function ffnBlock(
  ctx: ForwardContext,
  prefix: string,
  s: Normed,
  dropRate: number,
  next: string,
): Normed {
  let h = linearGelu(ctx, `${prefix}.fc1`, s.h); // [B, T, F]
  h = layerNorm(ctx, `${prefix}.ffn_layernorm`, h); // scale_fc
  const joined = linearResidual(ctx, `${prefix}.fc2`, h, s.x);
  if (joined) return { x: joined, h: layerNorm(ctx, next, joined) }; // inference: x + fc2(h) in one program
  h = dropout(ctx, linear(ctx, `${prefix}.fc2`, h), ctx.config.dropout); // [B, T, d]
  return addLayerNorm(ctx, next, s.x, dropPath(ctx, h, dropRate));
}

/**
 * Residual join of an attention branch, x + dropPath(dropout(LN_attn(h))), and the LayerNorm
 * `next` of the sum (the following sub-block's input).
 */
export function attnResidual(
  ctx: ForwardContext,
  lnPrefix: string,
  x: tf.Tensor,
  h: tf.Tensor,
  dropRate: number,
  next: string,
): Normed {
  const y = dropout(ctx, layerNorm(ctx, lnPrefix, h), ctx.config.dropout); // scale_attn
  return addLayerNorm(ctx, next, x, dropPath(ctx, y, dropRate));
}
