import * as tf from '@tensorflow/tfjs-core';
import { PAD } from '#main/engine/tokenizer/vocab';
import { absPosBias, attention, keyPaddingMask, projectKeyValue } from './attention';
import type { ForwardContext } from './context';
import { attnResidual, dropPathRate, ffnBlock, nextLayerNorm } from './layer-parts';
import { add, dropout, firstRows, layerNorm, linear, lookup, type Normed } from './ops';
import { imageBucketIds, imagePositionIds, tokenBucketIds } from './positions';
import { resnet } from './resnet';
import { weight } from './weights';

/** Encoder inputs: text tokens, and optionally one image per example. */
export interface EncoderInput {
  readonly tokens: tf.Tensor2D; // [B, n] int32
  readonly images?: tf.Tensor4D; // [B, H, W, 3] normalised
  /** [B] 1 where the example has an image, 0 where its patches are padding (OFA patch_masks). */
  readonly imageMask?: tf.Tensor1D;
}

/** Encoder result, consumed by the decoder's cross attention. */
export interface EncoderOutput {
  readonly x: tf.Tensor3D; // [B, S, d], S = patches + n
  readonly pad: tf.Tensor2D; // [B, S] 1 at padding
  readonly pos: tf.Tensor2D; // [S, d] layer-normed positions (image then text)
}

function row(table: tf.Tensor, r: number): tf.Tensor {
  return tf.slice(table, [r, 0], [1, -1]); // [1, d]
}

/** Image patches -> [B, P, d] embeddings, their position ids and grid. */
function embedImages(ctx: ForwardContext, images: tf.Tensor4D): { x: tf.Tensor; ids: number[] } {
  const feat = resnet(ctx, images); // [B, h, w, C]
  const [b, h, w, c] = feat.shape;
  const ids = imagePositionIds(h, w, ctx.config.imageBucket);
  let x = linear(ctx, 'encoder.image_proj', tf.reshape(feat, [b, h * w, c])); // [B, P, d]
  if (ctx.config.entanglePosition) {
    // unify_transformer.py: image_x += image_pos_embed (the raw rows) unless disable_entangle
    x = tf.add(
      x,
      lookup(weight(ctx.weights, 'encoder.embed_image_positions.weight'), tf.tensor1d(ids, 'int32')),
    ); // [B, P, d]
  }
  x = tf.add(x, row(weight(ctx.weights, 'encoder.type_embedding.weight'), 1));
  x = dropout(ctx, layerNorm(ctx, 'encoder.patch_layernorm_embedding', x), ctx.config.dropout);
  return { x, ids };
}

/** Layer i on the residual stream `s` (s.h = its self_attn_layer_norm); returns the stream and its next LayerNorm. */
function encoderLayer(ctx: ForwardContext, i: number, s: Normed, bias: tf.Tensor): Normed {
  const pre = `encoder.layers.${i}`;
  const rate = dropPathRate(ctx, i, ctx.config.encLayers);
  const a = attention(ctx, `${pre}.self_attn`, s.h, projectKeyValue(ctx, `${pre}.self_attn`, s.h), bias); // [B, S, d]
  const joined = attnResidual(ctx, `${pre}.attn_ln`, s.x, a, rate, `${pre}.final_layer_norm`);
  return ffnBlock(ctx, pre, joined, rate, nextLayerNorm('encoder', i, ctx.config.encLayers));
}

/** Per-layer relative bias [H, S, S]: token table on the text block, image table on the patch block. */
function relBias(
  ctx: ForwardContext,
  i: number,
  text: tf.Tensor2D,
  image: tf.Tensor2D | undefined,
): tf.Tensor {
  const w = (n: string) => weight(ctx.weights, `encoder.${n}_rel_pos_table_list.${i}.weight`);
  const t = tf.transpose(lookup(w('token'), text), [2, 0, 1]); // [H, n, n]
  if (!image) return t;
  const p = image.shape[0];
  const n = text.shape[0];
  const im = tf.transpose(lookup(w('image'), image), [2, 0, 1]); // [H, P, P]
  return tf.add(
    tf.pad(t, [
      [0, 0],
      [p, 0],
      [p, 0],
    ]),
    tf.pad(im, [
      [0, 0],
      [0, n],
      [0, n],
    ]),
  ); // [H, S, S]
}

/** The OFA encoder over [image patches ; text tokens] (spec/biomedgpt.md §1.2). */
export function encode(ctx: ForwardContext, input: EncoderInput): EncoderOutput {
  const { config, weights } = ctx;
  const [b, n] = input.tokens.shape;
  const embed = weight(weights, 'encoder.embed_tokens.weight');
  let x = tf.add(lookup(embed, input.tokens), row(weight(weights, 'encoder.type_embedding.weight'), 0)); // [B, n, d]
  // unify_transformer.py: x += pos_embed (the raw rows, before pos_ln) unless disable_entangle
  if (config.entanglePosition) x = tf.add(x, firstRows(weight(weights, 'encoder.embed_positions.weight'), n)); // [B, n, d]
  x = dropout(ctx, layerNorm(ctx, 'encoder.layernorm_embedding', x), config.dropout);
  let pad = tf.cast(tf.equal(input.tokens, PAD), 'float32') as tf.Tensor2D; // [B, n]
  let pos = layerNorm(ctx, 'encoder.pos_ln', firstRows(weight(weights, 'encoder.embed_positions.weight'), n)); // [n, d]
  let imageBuckets: tf.Tensor2D | undefined;
  if (input.images) {
    const img = embedImages(ctx, input.images); // [B, P, d]
    const p = img.ids.length;
    x = tf.concat([img.x, x], 1); // [B, S, d]
    const imgPad = input.imageMask
      ? tf.tile(tf.reshape(tf.sub(1, input.imageMask), [b, 1]), [1, p])
      : tf.zeros([b, p]); // [B, P]
    pad = tf.concat([imgPad, pad], 1) as tf.Tensor2D; // [B, S]
    const ids = tf.tensor1d(img.ids, 'int32');
    const imgPos = lookup(weight(weights, 'encoder.embed_image_positions.weight'), ids); // [P, d]
    pos = tf.concat([layerNorm(ctx, 'encoder.image_pos_ln', imgPos), pos], 0); // [S, d]
    imageBuckets = imageBucketIds(img.ids, config.imageBucket); // [P, P]
  }
  x = tf.mul(x, tf.expandDims(tf.sub(1, pad), 2)); // zero padded positions
  const abs = absPosBias(ctx, 'encoder.pos_q_linear', 'encoder.pos_k_linear', pos, pos); // [H, S, S]
  const mask = keyPaddingMask(pad); // [B, 1, 1, S]
  const textBuckets = tokenBucketIds(n, n, config.tokenBucket, config.maxRelPosition); // [n, n]
  let s: Normed = { x, h: layerNorm(ctx, nextLayerNorm('encoder', -1, config.encLayers), x) };
  for (let i = 0; i < config.encLayers; i++) {
    // One scope per layer: what the backward pass needs is kept by the tape, the rest is freed
    // now rather than at the end of the whole forward pass (the train step's peak memory).
    const input = s;
    s = tf.tidy(() => {
      const bias = add(ctx, add(ctx, abs, relBias(ctx, i, textBuckets, imageBuckets)), mask); // [B, H, S, S]
      return encoderLayer(ctx, i, input, bias);
    });
  }
  x = s.h; // encoder.layer_norm of the last residual stream
  return { x: x as tf.Tensor3D, pad, pos: pos as tf.Tensor2D };
}
