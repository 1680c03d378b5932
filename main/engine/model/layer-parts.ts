import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from './context';
import { add, dropout, dropPath, layerNorm, linear, linearGelu, linearResidual } from './ops';

/** Linearly rising stochastic depth: 0 at the first layer, config.dropPath at the last. */
export function dropPathRate(ctx: ForwardContext, layer: number, layers: number): number {
  return layers > 1 ? (ctx.config.dropPath * layer) / (layers - 1) : 0;
}

/** The NormFormer FFN sub-block with its residual: x + dropPath(fc2(LN_f(gelu(fc1(LN(x)))))). */
export function ffnBlock(ctx: ForwardContext, prefix: string, x: tf.Tensor, dropRate: number): tf.Tensor {
  let h = layerNorm(ctx, `${prefix}.final_layer_norm`, x); // [B, T, d]
  h = linearGelu(ctx, `${prefix}.fc1`, h); // [B, T, F]
  h = layerNorm(ctx, `${prefix}.ffn_layernorm`, h); // scale_fc
  const joined = linearResidual(ctx, `${prefix}.fc2`, h, x);
  if (joined) return joined; // inference: x + fc2(h) in one program
  h = dropout(ctx, linear(ctx, `${prefix}.fc2`, h), ctx.config.dropout); // [B, T, d]
  return add(ctx, x, dropPath(ctx, h, dropRate));
}

/** Residual join of an attention branch: x + dropPath(dropout(LN_attn(h))). */
export function attnResidual(
  ctx: ForwardContext,
  lnPrefix: string,
  x: tf.Tensor,
  h: tf.Tensor,
  dropRate: number,
): tf.Tensor {
  const y = dropout(ctx, layerNorm(ctx, lnPrefix, h), ctx.config.dropout); // scale_attn
  return add(ctx, x, dropPath(ctx, y, dropRate));
}
