import * as tf from '@tensorflow/tfjs-core';
import { PAD } from '#main/engine/tokenizer/vocab';
import { absPosBias, attention, type KeyValue, keyPaddingMask, projectKeyValue } from './attention';
import type { ForwardContext } from './context';
import type { EncoderOutput } from './encoder';
import { attnResidual, dropPathRate, ffnBlock, nextLayerNorm } from './layer-parts';
import { add, dropout, firstRows, layerNorm, lookup, type Normed } from './ops';
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
  const out = decodeHidden(ctx, enc, tokens, cache);
  const [b, t, d] = out.x.shape;
  const logits = tf.reshape(projectOutput(ctx, tf.reshape(out.x, [b * t, d])), [b, t, -1]); // [B, T, V]
  return { logits: logits as tf.Tensor3D, cache: out.cache };
}

/** The output projection over the tied embedding: [n, d] -> logits [n, V]. */
export function projectOutput(ctx: ForwardContext, x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, weight(ctx.weights, 'encoder.embed_tokens.weight'), false, true);
}

/**
 * The decoder up to its final LayerNorm (what {@link decode} projects to logits; the training
 * loss projects it in chunks of rows, train/loss.ts).
 * @returns x [B, T, d] and the cache including these tokens
 */
export function decodeHidden(
  ctx: ForwardContext,
  enc: EncoderOutput,
  tokens: tf.Tensor2D,
  cache?: DecoderCache,
): { x: tf.Tensor3D; cache: DecoderCache } {
  const { config, weights } = ctx;
  const t = tokens.shape[1];
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

  // tied: decoder.embed_tokens / output_projection (projectOutput)
  let tokEmbed = lookup(weight(weights, 'encoder.embed_tokens.weight'), tokens); // [B, T, d]
  if (config.entanglePosition) {
    // unify_transformer.py: x += tgt_pos_embed (the raw rows, before pos_ln) unless disable_entangle
    const rows = firstRows(weight(weights, 'decoder.embed_positions.weight'), total); // [q0+T, d]
    tokEmbed = tf.add(tokEmbed, q0 > 0 ? tf.slice(rows, [q0, 0], [t, -1]) : rows); // [B, T, d]
  }
  const x0 = dropout(ctx, layerNorm(ctx, 'decoder.layernorm_embedding', tokEmbed), config.dropout); // [B, T, d]
  let s: Normed = { x: x0, h: layerNorm(ctx, nextLayerNorm('decoder', -1, config.decLayers), x0) };
  const self: KeyValue[] = [];
  const cross: KeyValue[] = [];
  for (let i = 0; i < config.decLayers; i++) {
    // One scope per layer: the tape keeps what backward needs, the rest is freed now.
    const input = s;
    const [y, h, k, v, ck, cv] = tf.tidy(() => {
      const out = decoderLayer(i, input);
      return [out.s.x, out.s.h, out.self.k, out.self.v, out.cross.k, out.cross.v];
    }) as [tf.Tensor, tf.Tensor, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
    s = { x: y, h };
    self.push({ k, v });
    cross.push({ k: ck, v: cv });
  }
  /** Layer i on the residual stream `s` (s.h = its self_attn_layer_norm). */
  function decoderLayer(i: number, s: Normed): { s: Normed; self: KeyValue; cross: KeyValue } {
    const pre = `decoder.layers.${i}`;
    const rate = dropPathRate(ctx, i, config.decLayers);
    const rel = tf.transpose(
      lookup(weight(weights, `decoder.token_rel_pos_table_list.${i}.weight`), buckets),
      [2, 0, 1],
    ); // [H, T, q0+T]
    const selfBias = add(ctx, add(ctx, selfAbs, rel), selfMask);
    let kv = projectKeyValue(ctx, `${pre}.self_attn`, s.h); // [B, H, T, hd]
    const prev = cache?.self[i];
    if (prev) kv = { k: tf.concat([prev.k, kv.k], 2), v: tf.concat([prev.v, kv.v], 2) }; // [B, H, q0+T, hd]
    const a = attention(ctx, `${pre}.self_attn`, s.h, kv, selfBias); // [B, T, d]
    const t1 = attnResidual(ctx, `${pre}.self_attn_ln`, s.x, a, rate, `${pre}.encoder_attn_layer_norm`);
    const ckv = cache?.cross[i] ?? projectKeyValue(ctx, `${pre}.encoder_attn`, enc.x); // [B, H, S, hd]
    const c = attention(ctx, `${pre}.encoder_attn`, t1.h, ckv, crossBias); // [B, T, d]
    const t2 = attnResidual(ctx, `${pre}.cross_attn_ln`, t1.x, c, rate, `${pre}.final_layer_norm`);
    return {
      s: ffnBlock(ctx, pre, t2, rate, nextLayerNorm('decoder', i, config.decLayers)),
      self: kv,
      cross: ckv,
    };
  }
  // decoder.layer_norm of the last residual stream
  return { x: s.h as tf.Tensor3D, cache: { length: total, self, cross } }; // [B, T, d]
}
