import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from './context';
import { decode, decodeHidden } from './decoder';
import { type EncoderInput, encode } from './encoder';

/** One teacher-forced batch as the model sees it. */
export interface ModelInput extends EncoderInput {
  /** [B, T] int32: `<s>` + target tokens (shifted right), padded with `<pad>`. */
  readonly prevTokens: tf.Tensor2D;
}

/** Full forward pass: logits [B, T, V] for every target position. */
export function forward(ctx: ForwardContext, input: ModelInput): tf.Tensor3D {
  return tf.tidy(() => decode(ctx, encode(ctx, input), input.prevTokens).logits);
}

/** Full forward pass up to the decoder's final LayerNorm: [B, T, d] (logits = projectOutput of it). */
export function forwardHidden(ctx: ForwardContext, input: ModelInput): tf.Tensor3D {
  return tf.tidy(() => decodeHidden(ctx, encode(ctx, input), input.prevTokens).x);
}
