import { type ModelConfig, resnetOutChannels } from './config';

/** How a weight is initialised (seeded) when a model is built from scratch. */
export type WeightInit =
  | 'zeros'
  | 'ones'
  /** Normal(0, 0.02): linear weights and embeddings (BERT-style, as OFA's init_bert_params). */
  | 'normal'
  /** Kaiming normal, fan_out, ReLU gain (torchvision ResNet convs). */
  | 'conv';

/** One tensor of the fairseq OFA state dict. */
export interface WeightSpec {
  /** fairseq name, e.g. `encoder.layers.0.self_attn.k_proj.weight`. */
  readonly name: string;
  /** PyTorch shape ([out, in] for linear, [out, in, kh, kw] for conv). */
  readonly shape: readonly number[];
  /** Trainable parameter, or a buffer (BatchNorm running statistics). */
  readonly kind: 'param' | 'buffer';
  readonly dtype: 'float32' | 'int64';
  readonly init: WeightInit;
  /** Set on aliases of the shared embedding: the canonical name holding the storage. */
  readonly tiedTo?: string;
}

const p = (name: string, shape: number[], init: WeightInit): WeightSpec => ({
  name,
  shape,
  kind: 'param',
  dtype: 'float32',
  init,
});

function linear(prefix: string, out: number, inp: number): WeightSpec[] {
  return [p(`${prefix}.weight`, [out, inp], 'normal'), p(`${prefix}.bias`, [out], 'zeros')];
}

function layerNorm(prefix: string, size: number): WeightSpec[] {
  return [p(`${prefix}.weight`, [size], 'ones'), p(`${prefix}.bias`, [size], 'zeros')];
}

function batchNorm(prefix: string, c: number): WeightSpec[] {
  return [
    p(`${prefix}.weight`, [c], 'ones'),
    p(`${prefix}.bias`, [c], 'zeros'),
    { name: `${prefix}.running_mean`, shape: [c], kind: 'buffer', dtype: 'float32', init: 'zeros' },
    { name: `${prefix}.running_var`, shape: [c], kind: 'buffer', dtype: 'float32', init: 'ones' },
    { name: `${prefix}.num_batches_tracked`, shape: [], kind: 'buffer', dtype: 'int64', init: 'zeros' },
  ];
}

function conv(name: string, out: number, inp: number, k: number): WeightSpec {
  return p(name, [out, inp, k, k], 'conv');
}

/** ResNet stem and stages 1..3 (torchvision Bottleneck v1.5, no layer4), under `encoder.embed_images.`. */
export function resnetShapes(config: ModelConfig): WeightSpec[] {
  const pre = 'encoder.embed_images';
  const w = config.resnetWidth;
  const out: WeightSpec[] = [conv(`${pre}.conv1.weight`, w, 3, 7), ...batchNorm(`${pre}.bn1`, w)];
  let inplanes = w;
  config.resnetBlocks.forEach((blocks, s) => {
    const planes = w * 2 ** s;
    for (let b = 0; b < blocks; b++) {
      const lp = `${pre}.layer${s + 1}.${b}`;
      out.push(conv(`${lp}.conv1.weight`, planes, inplanes, 1), ...batchNorm(`${lp}.bn1`, planes));
      out.push(conv(`${lp}.conv2.weight`, planes, planes, 3), ...batchNorm(`${lp}.bn2`, planes));
      out.push(conv(`${lp}.conv3.weight`, planes * 4, planes, 1), ...batchNorm(`${lp}.bn3`, planes * 4));
      if (b === 0) {
        out.push(
          conv(`${lp}.downsample.0.weight`, planes * 4, inplanes, 1),
          ...batchNorm(`${lp}.downsample.1`, planes * 4),
        );
      }
      inplanes = planes * 4;
    }
  });
  return out;
}

function attention(prefix: string, d: number, h: number): WeightSpec[] {
  return [
    p(`${prefix}.c_attn`, [h], 'ones'),
    ...linear(`${prefix}.k_proj`, d, d),
    ...linear(`${prefix}.v_proj`, d, d),
    ...linear(`${prefix}.q_proj`, d, d),
    ...linear(`${prefix}.out_proj`, d, d),
  ];
}

function ffn(prefix: string, d: number, f: number): WeightSpec[] {
  return [...linear(`${prefix}.fc1`, f, d), ...linear(`${prefix}.fc2`, d, f)];
}

/** Rows of the token relative-position table: 2 * tokenBucket - 1. */
export const tokenRelRows = (c: ModelConfig): number => 2 * c.tokenBucket - 1;
/** Rows of the image relative-position table: (2 * imageBucket - 1)^2 + 3. */
export const imageRelRows = (c: ModelConfig): number => (2 * c.imageBucket - 1) ** 2 + 3;
/** Rows of the image absolute-position table: imageBucket^2 + 1. */
export const imagePosRows = (c: ModelConfig): number => c.imageBucket ** 2 + 1;

function relTables(stack: 'encoder' | 'decoder', c: ModelConfig, layers: number): WeightSpec[] {
  const out: WeightSpec[] = [];
  for (let i = 0; i < layers; i++)
    out.push(p(`${stack}.token_rel_pos_table_list.${i}.weight`, [tokenRelRows(c), c.heads], 'zeros'));
  for (let i = 0; i < layers; i++)
    out.push(p(`${stack}.image_rel_pos_table_list.${i}.weight`, [imageRelRows(c), c.heads], 'zeros'));
  return out;
}

/** Canonical name of the shared token embedding (encoder, decoder and output projection). */
export const SHARED_EMBEDDING = 'encoder.embed_tokens.weight';

/**
 * Every weight of the model, by fairseq OFA name and PyTorch shape, in state-dict order
 * (spec/ofa-state-dict.md §2). Deterministic index buffers (`*_rp_bucket`, `image_position_idx`)
 * and `*.version` are left out: the model recomputes them. The two aliases of the shared
 * embedding are listed with `tiedTo` set.
 */
export function weightShapes(c: ModelConfig): WeightSpec[] {
  const { dModel: d, ffn: f, heads: h, vocabSize: v } = c;
  const enc: WeightSpec[] = [
    p(SHARED_EMBEDDING, [v, d], 'normal'),
    ...layerNorm('encoder.layernorm_embedding', d),
    p('encoder.type_embedding.weight', [2, d], 'normal'),
    ...resnetShapes(c),
    ...linear('encoder.image_proj', d, resnetOutChannels(c)),
    ...layerNorm('encoder.patch_layernorm_embedding', d),
    p('encoder.embed_positions.weight', [c.maxSourcePositions + 2, d], 'normal'),
    p('encoder.embed_image_positions.weight', [imagePosRows(c), d], 'normal'),
    ...layerNorm('encoder.pos_ln', d),
    ...layerNorm('encoder.image_pos_ln', d),
    ...linear('encoder.pos_q_linear', d, d),
    ...linear('encoder.pos_k_linear', d, d),
  ];
  for (let i = 0; i < c.encLayers; i++) {
    const l = `encoder.layers.${i}`;
    enc.push(...attention(`${l}.self_attn`, d, h), ...layerNorm(`${l}.self_attn_layer_norm`, d));
    enc.push(...ffn(l, d, f), ...layerNorm(`${l}.attn_ln`, d), ...layerNorm(`${l}.ffn_layernorm`, f));
    enc.push(...layerNorm(`${l}.final_layer_norm`, d));
  }
  enc.push(...layerNorm('encoder.layer_norm', d), ...relTables('encoder', c, c.encLayers));

  const dec: WeightSpec[] = [
    { ...p('decoder.embed_tokens.weight', [v, d], 'normal'), tiedTo: SHARED_EMBEDDING },
    ...layerNorm('decoder.layernorm_embedding', d),
    p('decoder.embed_positions.weight', [c.maxTargetPositions + 2, d], 'normal'),
    p('decoder.embed_image_positions.weight', [imagePosRows(c), d], 'normal'),
    ...layerNorm('decoder.pos_ln', d),
    ...layerNorm('decoder.image_pos_ln', d),
    ...linear('decoder.self_pos_q_linear', d, d),
    ...linear('decoder.self_pos_k_linear', d, d),
    ...linear('decoder.cross_pos_q_linear', d, d),
    ...linear('decoder.cross_pos_k_linear', d, d),
    ...layerNorm('decoder.code_layernorm_embedding', d),
  ];
  for (let i = 0; i < c.decLayers; i++) {
    const l = `decoder.layers.${i}`;
    dec.push(
      ...attention(`${l}.self_attn`, d, h),
      ...layerNorm(`${l}.self_attn_ln`, d),
      ...layerNorm(`${l}.cross_attn_ln`, d),
    );
    dec.push(...layerNorm(`${l}.self_attn_layer_norm`, d), ...attention(`${l}.encoder_attn`, d, h));
    dec.push(...layerNorm(`${l}.encoder_attn_layer_norm`, d), ...layerNorm(`${l}.ffn_layernorm`, f));
    dec.push(...ffn(l, d, f), ...layerNorm(`${l}.final_layer_norm`, d));
  }
  dec.push(...layerNorm('decoder.layer_norm', d));
  dec.push({ ...p('decoder.output_projection.weight', [v, d], 'normal'), tiedTo: SHARED_EMBEDDING });
  dec.push(...relTables('decoder', c, c.decLayers));
  return [...enc, ...dec];
}

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The weights the model actually stores (no aliases). */
export function storedWeights(c: ModelConfig): WeightSpec[] {
  return weightShapes(c).filter((w) => w.tiedTo === undefined);
}

/** Trainable parameters, the tied embedding counted once; computed from {@link weightShapes}. */
export function parameterCount(c: ModelConfig): number {
  return storedWeights(c)
    .filter((w) => w.kind === 'param')
    .reduce((sum, w) => sum + numel(w.shape), 0);
}
