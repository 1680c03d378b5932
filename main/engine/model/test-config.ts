import type { ModelConfig } from '#shared/model/config';
import { presetConfig } from '#shared/model/presets';

/** A very small config for fast unit tests (cpu-xs block design, 32 px images, vocab 40). */
export function tinyTestConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return presetConfig('cpu-xs', {
    name: 'test-tiny',
    dModel: 16,
    ffn: 32,
    heads: 2,
    encLayers: 2,
    decLayers: 2,
    resnetBlocks: [1, 1, 1],
    resnetWidth: 4,
    imageSize: 32,
    vocabSize: 40,
    maxSourcePositions: 32,
    maxTargetPositions: 16,
    imageBucket: 8,
    tokenBucket: 16,
    maxRelPosition: 64,
    ...overrides,
  });
}
