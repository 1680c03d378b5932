import { z } from 'zod';

/**
 * Architecture hyperparameters of one BiomedGPT / OFA-style encoder-decoder.
 * Field names follow the fairseq arguments they mirror (spec/biomedgpt.md §1).
 */
export const ModelConfigSchema = z.object({
  /** Preset name this config was derived from (informational). */
  name: z.string(),
  /** Hidden size d (encoder_embed_dim = decoder_embed_dim). */
  dModel: z.number().int().positive(),
  /** FFN inner size F. */
  ffn: z.number().int().positive(),
  /** Attention heads H; dModel must be divisible by it. */
  heads: z.number().int().positive(),
  encLayers: z.number().int().positive(),
  decLayers: z.number().int().positive(),
  /** Bottleneck blocks in ResNet stages 1..3 (there is no stage 4). */
  resnetBlocks: z.tuple([
    z.number().int().positive(),
    z.number().int().positive(),
    z.number().int().positive(),
  ]),
  /** Stem / stage-1 planes p; 64 for the paper presets. Stage 3 outputs 16 * width channels. */
  resnetWidth: z.number().int().positive(),
  /** Square input image side in pixels (the ResNet downsamples by 16). */
  imageSize: z.number().int().positive(),
  /** Rows of the shared (tied) token embedding. */
  vocabSize: z.number().int().positive(),
  /** Text positions; the table has maxSourcePositions + 2 rows. */
  maxSourcePositions: z.number().int().positive(),
  maxTargetPositions: z.number().int().positive(),
  /** Token relative-position bucket size (table rows 2 * tokenBucket - 1). */
  tokenBucket: z.number().int().positive(),
  /** Image relative-position bucket (grid side); image positions table has imageBucket^2 + 1 rows. */
  imageBucket: z.number().int().positive(),
  /** max_position of make_token_bucket_position (OFA's DEFAULT_MAX_SOURCE_POSITIONS). */
  maxRelPosition: z.number().int().positive(),
  dropout: z.number().min(0).max(1),
  attentionDropout: z.number().min(0).max(1),
  /** Stochastic depth at the last layer; rises linearly from 0 at the first. */
  dropPath: z.number().min(0).max(1),
  /** attn_scale_factor: logits are scaled by (headDim * factor)^-0.5. */
  attnScaleFactor: z.number().positive(),
  layerNormEps: z.number().positive(),
  /**
   * OFA's entangled positions: the raw position rows are added to the embeddings, in the encoder
   * (text rows to the tokens, image rows to the patches) and the decoder (upstream unless
   * `--disable-entangle`; every BiomedGPT script sets it, so off by default).
   */
  entanglePosition: z.boolean().optional(),
});

/** Architecture hyperparameters; see {@link ModelConfigSchema}. */
export type ModelConfig = Readonly<z.infer<typeof ModelConfigSchema>>;

/** Per-head size. */
export function headDim(config: ModelConfig): number {
  return config.dModel / config.heads;
}

/** Channels leaving ResNet stage 3 (1024 for width 64). */
export function resnetOutChannels(config: ModelConfig): number {
  return config.resnetWidth * 16;
}

/** Side of the patch grid an image produces (stride 16). */
export function patchGrid(config: ModelConfig): number {
  return Math.ceil(config.imageSize / 16);
}
