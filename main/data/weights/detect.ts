import type { WeightsArchitecture } from '#shared/domain/weights';
import type { ModelConfig } from '#shared/model/config';
import { PRESETS } from '#shared/model/presets';

/** Preset a fairseq `--arch` names (spec/biomedgpt.md §1.1). */
const ARCH_PRESETS: Readonly<Record<string, 'S' | 'M' | 'Base' | 'Large' | 'XLarge'>> = {
  ofa_tiny: 'S',
  ofa_medium: 'M',
  ofa_base: 'Base',
  ofa_large: 'Large',
  ofa_huge: 'XLarge',
};
const PAPER = ['S', 'M', 'Base', 'Large', 'XLarge'] as const;
const CPU_RUNGS = ['cpu-xs', 'cpu-s', 'cpu-m'] as const;

/** The architecture fields that weight shapes determine (imageSize, dropout etc. do not). */
const SHAPE_FIELDS = [
  'dModel',
  'ffn',
  'heads',
  'encLayers',
  'decLayers',
  'resnetWidth',
  'maxSourcePositions',
  'maxTargetPositions',
  'tokenBucket',
  'imageBucket',
] as const;

/** Why the architecture could not be read off the shapes. */
export interface DetectionFailure {
  readonly missing: readonly string[];
  readonly message: string;
}

function countIndices(keys: readonly string[], re: RegExp): number {
  let max = -1;
  for (const k of keys) {
    const m = re.exec(k);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The preset that `--arch` names, if any (`ofa_tiny` -> S). */
export function presetOfArch(arch: string | null): (typeof PAPER)[number] | undefined {
  return arch ? ARCH_PRESETS[arch] : undefined;
}

/**
 * Reads the architecture off the keys and shapes (fairseq names): width from the shared
 * embedding, heads from `c_attn`, FFN from `fc1`, depth by counting layers, the ResNet by counting
 * its blocks, position tables and buckets from their rows. A paper preset when every shape field
 * matches one, else `custom`. Fields the shapes cannot tell (image size, attention scale) come
 * from the fairseq args where present, else the preset's or the defaults.
 */
export function detectArchitecture(
  shapes: ReadonlyMap<string, readonly number[]>,
  args: ReadonlyMap<string, unknown>,
): WeightsArchitecture | DetectionFailure {
  const embed =
    shapes.get('encoder.embed_tokens.weight') ??
    shapes.get('decoder.embed_tokens.weight') ??
    shapes.get('decoder.output_projection.weight');
  const need: [string, readonly number[] | undefined][] = [
    ['encoder.embed_tokens.weight', embed],
    ['encoder.layers.0.self_attn.c_attn', shapes.get('encoder.layers.0.self_attn.c_attn')],
    ['encoder.layers.0.fc1.weight', shapes.get('encoder.layers.0.fc1.weight')],
    ['encoder.embed_images.conv1.weight', shapes.get('encoder.embed_images.conv1.weight')],
    ['encoder.embed_positions.weight', shapes.get('encoder.embed_positions.weight')],
    ['decoder.embed_positions.weight', shapes.get('decoder.embed_positions.weight')],
    ['encoder.token_rel_pos_table_list.0.weight', shapes.get('encoder.token_rel_pos_table_list.0.weight')],
    ['encoder.embed_image_positions.weight', shapes.get('encoder.embed_image_positions.weight')],
  ];
  const missing = need.filter(([, s]) => !s).map(([k]) => k);
  if (missing.length)
    return {
      missing,
      message: `cannot detect the architecture: the file lacks ${missing.join(', ')}`,
    };
  const [vocab = 0, d = 0] = embed ?? [];
  const keys = [...shapes.keys()];
  const imagePosRows = shapes.get('encoder.embed_image_positions.weight')?.[0] ?? 1;
  const imageBucket = Math.round(Math.sqrt(imagePosRows - 1));
  const arch =
    typeof args.get('arch') === 'string' ? (args.get('arch') as string) : (args.get('_name') as string);
  const named = presetOfArch(typeof arch === 'string' ? arch : null);
  const shaped = {
    dModel: d,
    ffn: shapes.get('encoder.layers.0.fc1.weight')?.[0] ?? 0,
    heads: shapes.get('encoder.layers.0.self_attn.c_attn')?.[0] ?? 0,
    encLayers: countIndices(keys, /^encoder\.layers\.(\d+)\./),
    decLayers: countIndices(keys, /^decoder\.layers\.(\d+)\./),
    resnetBlocks: [1, 2, 3].map((s) =>
      countIndices(keys, new RegExp(`^encoder\\.embed_images\\.layer${s}\\.(\\d+)\\.`)),
    ) as [number, number, number],
    resnetWidth: shapes.get('encoder.embed_images.conv1.weight')?.[0] ?? 0,
    maxSourcePositions: (shapes.get('encoder.embed_positions.weight')?.[0] ?? 2) - 2,
    maxTargetPositions: (shapes.get('decoder.embed_positions.weight')?.[0] ?? 2) - 2,
    tokenBucket: ((shapes.get('encoder.token_rel_pos_table_list.0.weight')?.[0] ?? 1) + 1) / 2,
    imageBucket,
    vocabSize: vocab,
  };
  // Paper scales first; then the CPU rungs (a run trained here, exported for PyTorch, comes back as its rung).
  const preset = [...PAPER, ...CPU_RUNGS].find(
    (p) =>
      SHAPE_FIELDS.every((f) => PRESETS[p][f] === shaped[f]) &&
      PRESETS[p].resnetBlocks.every((b, i) => b === shaped.resnetBlocks[i]),
  );
  const base: ModelConfig = PRESETS[preset ?? named ?? 'Base'];
  const rp = shapes.get('encoder.token_rp_bucket')?.[0];
  const config: ModelConfig = {
    ...base,
    ...shaped,
    name: preset ?? 'custom',
    // the image position table covers imageBucket x imageBucket patches of 16 px: no larger images
    imageSize: Math.min(num(args.get('patch_image_size')) ?? base.imageSize, shaped.imageBucket * 16),
    attnScaleFactor: num(args.get('attn_scale_factor')) ?? base.attnScaleFactor,
    maxRelPosition: rp ?? base.maxRelPosition,
    dropout: num(args.get('dropout')) ?? base.dropout,
    attentionDropout: num(args.get('attention_dropout')) ?? base.attentionDropout,
  };
  return { preset: preset ?? 'custom', config };
}
