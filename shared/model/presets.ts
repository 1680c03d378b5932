import type { ModelConfig } from './config';

/** Vocabulary of the published checkpoints: 4 specials + 50,260 BPE + <mask> + 8,192 codes + 1,000 bins. */
export const FAIRSEQ_VOCAB_SIZE = 59_457;

/** Names of all presets, paper scales first, then the CPU rungs (smallest first). */
export const PRESET_NAMES = ['S', 'M', 'Base', 'Large', 'XLarge', 'cpu-xs', 'cpu-s', 'cpu-m'] as const;
/** A preset name. */
export type PresetName = (typeof PRESET_NAMES)[number];

const common = {
  vocabSize: FAIRSEQ_VOCAB_SIZE,
  maxSourcePositions: 1024,
  maxTargetPositions: 1024,
  tokenBucket: 256,
  imageBucket: 42,
  maxRelPosition: 1024,
  dropout: 0.1,
  attentionDropout: 0,
  dropPath: 0.1,
  attnScaleFactor: 2,
  layerNormEps: 1e-5,
  resnetWidth: 64,
} as const;

/**
 * Vocabulary size assumed for the CPU rungs when no tokenizer is at hand (estimates, UI).
 * Sessions replace it with the size of the trimmed vocabulary they actually build.
 */
export const CPU_RUNG_DEFAULT_VOCAB = 4096;

/** CPU rungs: same block design, smaller width/depth/ResNet and images, shorter position tables. */
const cpu = {
  ...common,
  vocabSize: CPU_RUNG_DEFAULT_VOCAB,
  maxSourcePositions: 256,
  maxTargetPositions: 128,
} as const;

/**
 * All presets. S/M/Base/Large/XLarge are ofa_tiny/medium/base/large/huge (spec/biomedgpt.md §1.1);
 * Base/Large/XLarge use the 384 px images of the Base VQA-RAD script, S/M 256 px.
 */
export const PRESETS: Readonly<Record<PresetName, ModelConfig>> = {
  S: {
    ...common,
    name: 'S',
    dModel: 256,
    ffn: 1024,
    heads: 4,
    encLayers: 4,
    decLayers: 4,
    resnetBlocks: [3, 4, 6],
    imageSize: 256,
  },
  M: {
    ...common,
    name: 'M',
    dModel: 512,
    ffn: 2048,
    heads: 8,
    encLayers: 4,
    decLayers: 4,
    resnetBlocks: [3, 4, 23],
    imageSize: 256,
  },
  Base: {
    ...common,
    name: 'Base',
    dModel: 768,
    ffn: 3072,
    heads: 12,
    encLayers: 6,
    decLayers: 6,
    resnetBlocks: [3, 4, 23],
    imageSize: 384,
  },
  Large: {
    ...common,
    name: 'Large',
    dModel: 1024,
    ffn: 4096,
    heads: 16,
    encLayers: 12,
    decLayers: 12,
    resnetBlocks: [3, 8, 36],
    imageSize: 384,
  },
  XLarge: {
    ...common,
    name: 'XLarge',
    dModel: 1280,
    ffn: 5120,
    heads: 16,
    encLayers: 24,
    decLayers: 12,
    resnetBlocks: [3, 8, 36],
    imageSize: 384,
  },
  'cpu-xs': {
    ...cpu,
    name: 'cpu-xs',
    dModel: 64,
    ffn: 256,
    heads: 2,
    encLayers: 2,
    decLayers: 2,
    resnetBlocks: [1, 1, 1],
    resnetWidth: 8,
    imageSize: 64,
  },
  'cpu-s': {
    ...cpu,
    name: 'cpu-s',
    dModel: 128,
    ffn: 512,
    heads: 4,
    encLayers: 3,
    decLayers: 3,
    // One bottleneck per stage, as cpu-xs and cpu-m: the ladder then differs in the transformer's
    // width and depth and the ResNet's width only (issue 25).
    resnetBlocks: [1, 1, 1],
    resnetWidth: 16,
    imageSize: 96,
  },
  'cpu-m': {
    ...cpu,
    name: 'cpu-m',
    dModel: 256,
    ffn: 1024,
    heads: 4,
    encLayers: 4,
    decLayers: 4,
    // One bottleneck per stage, as cpu-xs: with S's [3, 4, 6] (13 blocks) cpu-m read no image in
    // 240 steps on the demo phantoms and stepped ~5x slower at 32 px; with [1, 1, 1] it learns the
    // phantom classification by step 50 and out-scores cpu-s on the VQA demo at 120 (issue 25).
    resnetBlocks: [1, 1, 1],
    resnetWidth: 32,
    imageSize: 128,
  },
};

/** True for the rungs meant to train on a CPU (trimmed vocabulary by default). */
export function isCpuRung(name: string): boolean {
  return name.startsWith('cpu-');
}

/** The preset config, optionally with a different vocabulary size (trimmed vocabularies). */
export function presetConfig(name: PresetName, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { ...PRESETS[name], ...overrides };
}
