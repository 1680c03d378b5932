import * as tf from '@tensorflow/tfjs-core';
import { PAD } from '#main/engine/tokenizer/vocab';
import { absPosBias, attention, type KeyValue, keyPaddingMask, projectKeyValue } from './attention';
import type { ForwardContext } from './context';
import type { EncoderOutput } from './encoder';
import { attnResidual, dropPathRate, ffnBlock } from './layer-parts';
import { add, dropout, firstRows, layerNorm, lookup } from './ops';
import { tokenBucketIds } from './positions';
import { weight } from './weights';

/** Incremental decoding state: self-attention keys/values so far, cross keys/values computed once. */
export interface DecoderCache {
  /** Tokens already decoded (the position of the next one). */
  readonly length: number;
  readonly self: readonly KeyValue[];
  readonly cross: readonly KeyValue[];
}

/** Additive causal mask [T, K] for queries at positions q0..q0+T-1 over keys 0..K-1. */
function causalMask(t: number, k: number, q0: number): tf.Tensor2D {
  const m = new Float32Array(t * k);
  for (let i = 0; i < t; i++) for (let j = q0 + i + 1; j < k; j++) m[i * k + j] = -1e9;
  return tf.tensor2d(m, [t, k]);
}

/**
 * The OFA decoder: tokens -> logits over the tied embedding. Without a cache it runs the full
 * (teacher-forced) sequence; with one it runs only the new tokens, at positions after the cache,
 * and returns the grown cache. Call inside tf.tidy; keep the returned cache.
 * @param tokens [B, T] int32 previous output tokens (<s> first)
 * @returns logits [B, T, V] and the cache including these tokens
 */
export function decode(
  ctx: ForwardContext,
  enc: EncoderOutput,
  tokens: tf.Tensor2D,
  cache?: DecoderCache,
): { logits: tf.Tensor3D; cache: DecoderCache } {
  const { config, weights } = ctx;
  const [b, t] = tokens.shape;
  const q0 = cache?.length ?? 0;
  const total = q0 + t;
  const posAll = layerNorm(
    ctx,
    'decoder.pos_ln',
    firstRows(weight(weights, 'decoder.embed_positions.weight'), total),
  ); // [q0+T, d]
  const posQ = q0 > 0 ? tf.slice(posAll, [q0, 0], [t, -1]) : posAll; // [T, d]
  const selfAbs = absPosBias(ctx, 'decoder.self_pos_q_linear', 'decoder.self_pos_k_linear', posQ, posAll); // [H, T, q0+T]
  let selfMask: tf.Tensor = causalMask(t, total, q0); // [T, q0+T]
  if (!cache) selfMask = tf.add(selfMask, keyPaddingMask(tf.equal(tokens, PAD) as tf.Tensor2D)); // [B, 1, T, T]
  const crossBias = add(
    ctx,
    absPosBias(ctx, 'decoder.cross_pos_q_linear', 'decoder.cross_pos_k_linear', posQ, enc.pos),
    keyPaddingMask(enc.pad),
  ); // [B, H, T, S]
  const buckets = tokenBucketIds(t, total, config.tokenBucket, config.maxRelPosition, q0); // [T, q0+T]

  const embed = weight(weights, 'encoder.embed_tokens.weight'); // tied: decoder.embed_tokens / output_projection
  let tokEmbed = lookup(embed, tokens); // [B, T, d]
  if (config.entanglePosition) {
    // unify_transformer.py: x += tgt_pos_embed (the raw rows, before pos_ln) unless disable_entangle
    const rows = firstRows(weight(weights, 'decoder.embed_positions.weight'), total); // [q0+T, d]
    tokEmbed = tf.add(tokEmbed, q0 > 0 ? tf.slice(rows, [q0, 0], [t, -1]) : rows); // [B, T, d]
  }
  let x = layerNorm(ctx, 'decoder.layernorm_embedding', tokEmbed); // [B, T, d]
  x = dropout(ctx, x, config.dropout);
  const self: KeyValue[] = [];
  const cross: KeyValue[] = [];
  for (let i = 0; i < config.decLayers; i++) {
    // One scope per layer: the tape keeps what backward needs, the rest is freed now.
    const input = x;
    const [y, k, v, ck, cv] = tf.tidy(() => {
      const out = decoderLayer(i, input);
      return [out.x, out.self.k, out.self.v, out.cross.k, out.cross.v];
    }) as [tf.Tensor, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    x = y;
    self.push({ k, v });
    cross.push({ k: ck, v: cv });
  }
  function decoderLayer(i: number, x: tf.Tensor): { x: tf.Tensor; self: KeyValue; cross: KeyValue } {
    const pre = `decoder.layers.${i}`;
    const rate = dropPathRate(ctx, i, config.decLayers);
    const rel = tf.transpose(
      lookup(weight(weights, `decoder.token_rel_pos_table_list.${i}.weight`), buckets),
      [2, 0, 1],
    ); // [H, T, q0+T]
    const selfBias = add(ctx, add(ctx, selfAbs, rel), selfMask);
    let h = layerNorm(ctx, `${pre}.self_attn_layer_norm`, x); // [B, T, d]
    let kv = projectKeyValue(ctx, `${pre}.self_attn`, h); // [B, H, T, hd]
    const prev = cache?.self[i];
    if (prev) kv = { k: tf.concat([prev.k, kv.k], 2), v: tf.concat([prev.v, kv.v], 2) }; // [B, H, q0+T, hd]
    x = attnResidual(
      ctx,
      `${pre}.self_attn_ln`,
      x,
      attention(ctx, `${pre}.self_attn`, h, kv, selfBias),
      rate,
    );

    h = layerNorm(ctx, `${pre}.encoder_attn_layer_norm`, x);
    const ckv = cache?.cross[i] ?? projectKeyValue(ctx, `${pre}.encoder_attn`, enc.x); // [B, H, S, hd]
    x = attnResidual(
      ctx,
      `${pre}.cross_attn_ln`,
      x,
      attention(ctx, `${pre}.encoder_attn`, h, ckv, crossBias),
      rate,
    );
    return { x: ffnBlock(ctx, pre, x, rate), self: kv, cross: ckv };
  }
  x = layerNorm(ctx, 'decoder.layer_norm', x); // [B, T, d]
  const logits = tf.reshape(tf.matMul(tf.reshape(x, [b * t, config.dModel]), embed, false, true), [b, t, -1]); // [B, T, V]
  return { logits: logits as tf.Tensor3D, cache: { length: total, self, cross } };
}
