import { type ModelConfig, resnetOutChannels } from './config';

/** torchvision ResNet names of the published block counts (stages 1..3, width 64). */
const RESNET_TYPES: Readonly<Record<string, string>> = {
  '3,4,6': 'resnet50',
  '3,4,23': 'resnet101',
  '3,8,36': 'resnet152',
};

/** The `resnet_type` of OFA's Hugging Face config for a shape, or null for a custom stem. */
export function resnetType(config: ModelConfig): string | null {
  if (config.resnetWidth !== 64 || resnetOutChannels(config) !== 1024) return null;
  return RESNET_TYPES[config.resnetBlocks.join(',')] ?? null;
}

/** What the workbench adds to the Hugging Face config (ignored by `OFAConfig`, kept as extra kwargs). */
export interface WorkbenchConfigSection {
  /** The engine's own architecture config: what bench/reference/ofa_reference.py builds from. */
  readonly config: ModelConfig;
  readonly imageSize: number;
  readonly vocabulary: 'fairseq' | 'trimmed';
  readonly step: number;
  readonly run: { readonly id: string; readonly name: string } | null;
}

/**
 * A Hugging Face OFA `config.json` (OFA-Sys `feature/add_transformers`, `configuration_ofa.py`)
 * for a model of this shape, mapped as spec/ofa-state-dict.md §3 lists (d_model =
 * encoder_embed_dim, normformer = scale_attn + scale_fc + scale_heads, scale_embedding = false).
 * A custom ResNet stem has no `resnet_type` (null): `OFAModel` cannot build it, the workbench
 * section still describes it exactly.
 */
export function hfOfaConfig(config: ModelConfig, workbench: WorkbenchConfigSection): Record<string, unknown> {
  return {
    architectures: ['OFAModel'],
    model_type: 'ofa',
    vocab_size: config.vocabSize,
    d_model: config.dModel,
    encoder_layers: config.encLayers,
    decoder_layers: config.decLayers,
    encoder_attention_heads: config.heads,
    decoder_attention_heads: config.heads,
    encoder_ffn_dim: config.ffn,
    decoder_ffn_dim: config.ffn,
    max_position_embeddings: config.maxSourcePositions,
    activation_function: 'gelu',
    dropout: config.dropout,
    attention_dropout: config.attentionDropout,
    activation_dropout: 0,
    encoder_drop_path_rate: config.dropPath,
    decoder_drop_path_rate: config.dropPath,
    encoder_layerdrop: 0,
    decoder_layerdrop: 0,
    init_std: 0.02,
    scale_embedding: false,
    normformer: true,
    encoder_normalize_before: true,
    decoder_normalize_before: true,
    layernorm_embedding: true,
    patch_layernorm_embedding: true,
    code_layernorm_embedding: true,
    add_type_embedding: true,
    share_decoder_input_output_embed: true,
    entangle_position_embedding: false,
    resnet_type: resnetType(config),
    resnet_drop_path_rate: 0,
    resnet_model_path: null,
    token_bucket_size: config.tokenBucket,
    image_bucket_size: config.imageBucket,
    attn_scale_factor: config.attnScaleFactor,
    code_image_size: 128,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
    decoder_start_token_id: 0,
    forced_eos_token_id: 2,
    is_encoder_decoder: true,
    use_cache: true,
    torch_dtype: 'float32',
    biomed_workbench: workbench,
  };
}
