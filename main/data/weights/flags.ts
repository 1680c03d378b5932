import type { ArchitectureFlag } from '#shared/domain/weights';
import type { ModelConfig } from '#shared/model/config';

/** Flags the engine's arithmetic always follows (BiomedGPT's scripts set every one of them). */
const REQUIRED_TRUE: readonly [string, string][] = [
  ['scale_attn', 'the LayerNorm after attention (attn_ln)'],
  ['scale_fc', 'the LayerNorm inside the FFN (ffn_layernorm)'],
  ['scale_heads', 'the per-head scale before out_proj (c_attn)'],
  ['add_type_embedding', 'the text / image type embedding'],
  ['encoder_normalize_before', 'pre-LN encoder layers'],
  ['decoder_normalize_before', 'pre-LN decoder layers'],
  ['layernorm_embedding', 'the LayerNorm on token embeddings'],
  ['patch_layernorm_embedding', 'the LayerNorm on image patch embeddings'],
  ['no_scale_embedding', 'token embeddings not scaled by sqrt(d)'],
  ['share_decoder_input_output_embed', 'the output projection tied to the embedding'],
];

/** ResNet blocks of stages 1..3 per OFA `resnet_type`. */
const RESNET_BLOCKS: Readonly<Record<string, readonly number[]>> = {
  resnet50: [3, 4, 6],
  resnet101: [3, 4, 23],
  resnet152: [3, 8, 36],
};

const scalar = (v: unknown): boolean | number | string | null =>
  typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' ? v : null;

/**
 * Reads every fairseq flag of `args` / `cfg.model` that changes the arithmetic, against the
 * config detected from the shapes. `disable_entangle: false` (upstream OFA's default) is
 * implemented: the config gets `entanglePosition`. Any other flag the engine does not implement
 * is refused by name. Files without fairseq args (Hugging Face, safetensors) state no flags.
 */
export function readArchitectureFlags(
  args: ReadonlyMap<string, unknown>,
  config: ModelConfig,
): { readonly flags: ArchitectureFlag[]; readonly problems: string[]; readonly config: ModelConfig } {
  const flags: ArchitectureFlag[] = [];
  const problems: string[] = [];
  if (args.size === 0) return { flags, problems, config };
  const add = (
    name: string,
    value: ArchitectureFlag['value'],
    outcome: ArchitectureFlag['outcome'],
    note: string,
  ): void => {
    flags.push({ name, value, outcome, note });
  };
  const refuse = (name: string, value: ArchitectureFlag['value'], note: string): void => {
    add(name, value, 'refused', note);
    problems.push(`${name} = ${JSON.stringify(value)}: ${note}`);
  };
  let out: ModelConfig = config;

  const entangle = scalar(args.get('disable_entangle'));
  if (entangle === false) {
    out = { ...out, entanglePosition: true };
    add(
      'disable_entangle',
      false,
      'applied',
      'position rows are added to the token and image embeddings, encoder and decoder (entangled positions)',
    );
  } else
    add(
      'disable_entangle',
      entangle,
      entangle === true ? 'matches' : 'assumed',
      entangle === true
        ? 'disentangled positions (as every BiomedGPT script)'
        : 'not stated: taken as set, as every BiomedGPT script sets it',
    );

  for (const [name, what] of REQUIRED_TRUE) {
    const v = scalar(args.get(name));
    if (v === null) add(name, null, 'assumed', `not stated: ${what} (the weights' keys decide)`);
    else if (v === true) add(name, v, 'matches', what);
    else refuse(name, v, `the engine always uses ${what}; a model without it is not implemented`);
  }

  const factor = scalar(args.get('attn_scale_factor'));
  if (typeof factor === 'number')
    add('attn_scale_factor', factor, 'applied', 'attention logits scaled by (headDim * factor)^-0.5');
  else add('attn_scale_factor', null, 'assumed', `not stated: ${config.attnScaleFactor}`);
  for (const [name, have] of [
    ['token_bucket_size', config.tokenBucket],
    ['image_bucket_size', config.imageBucket],
  ] as const) {
    const v = scalar(args.get(name));
    if (v === null) add(name, null, 'assumed', `not stated: ${have} from the table shapes`);
    else if (v === have) add(name, v, 'matches', 'agrees with the relative-position tables');
    else refuse(name, v, `the relative-position tables give ${have}`);
  }
  const resnet = scalar(args.get('resnet_type'));
  if (resnet === null) add('resnet_type', null, 'assumed', 'not stated: blocks counted from the keys');
  else if (RESNET_BLOCKS[String(resnet)]?.join(',') === config.resnetBlocks.join(','))
    add('resnet_type', resnet, 'matches', `blocks ${config.resnetBlocks.join('/')}`);
  else
    refuse(
      'resnet_type',
      resnet,
      `the keys hold ResNet blocks ${config.resnetBlocks.join('/')}, which ${String(resnet)} does not have`,
    );
  const size = scalar(args.get('patch_image_size'));
  if (typeof size === 'number') add('patch_image_size', size, 'applied', `images of ${out.imageSize} px`);
  else add('patch_image_size', null, 'assumed', `not stated: ${out.imageSize} px`);
  const patch = scalar(args.get('patch_size'));
  if (patch !== null && patch !== 16)
    refuse('patch_size', patch, 'the engine cuts 16-px patches (ResNet stride 16)');
  return { flags, problems, config: out };
}
