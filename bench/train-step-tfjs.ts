import { createWeights, disposeWeights } from '#main/engine/model/weights';
import { createAdamState, disposeAdamState } from '#main/engine/train/adamw';
import type { PreparedBatch } from '#main/engine/train/batch';
import { type TrainerState, trainStep } from '#main/engine/train/step';
import type { ModelConfig } from '#shared/model/config';
import { type PresetName, presetConfig } from '#shared/model/presets';

/** The batch a train-step benchmark runs: the same shapes go to the PyTorch peer. */
export interface Workload {
  readonly batch: number;
  readonly sourceLength: number; // text tokens on the encoder side
  readonly targetLength: number;
  readonly withImage: boolean;
}

export const DEFAULT_WORKLOAD: Workload = { batch: 8, sourceLength: 32, targetLength: 32, withImage: true };

export interface TrainStepHarness {
  readonly config: ModelConfig;
  /** One optimizer update of the model engineer's trainStep (forward, loss, backward, clip, AdamW). */
  step(): Promise<number>;
  dispose(): void;
}

function randomIds(n: number, vocab: number, seed: number): Int32Array {
  let s = seed >>> 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 4 + (s % (vocab - 4)); // ids >= 4: no <pad>, so every position is real work
  }
  return out;
}

/** A full-length random batch of the workload's shape. */
export function syntheticBatch(config: ModelConfig, w: Workload): PreparedBatch {
  const s = config.imageSize;
  const images = new Float32Array(w.batch * s * s * 3);
  for (let i = 0; i < images.length; i++) images[i] = Math.sin(i * 12.9898) * 0.5;
  return {
    size: w.batch,
    srcLen: w.sourceLength,
    tgtLen: w.targetLength,
    vocabSize: config.vocabSize,
    srcTokens: randomIds(w.batch * w.sourceLength, config.vocabSize, 1),
    prevTokens: randomIds(w.batch * w.targetLength, config.vocabSize, 2),
    targets: randomIds(w.batch * w.targetLength, config.vocabSize, 3),
    ...(w.withImage ? { images, imageMask: new Float32Array(w.batch).fill(1) } : {}),
    ntokens: w.batch * w.targetLength,
    decoderPrefixes: Array.from({ length: w.batch }, () => []),
  };
}

/** The model engineer's model and trainStep at `preset`, on one fixed synthetic batch. */
export function makeTrainStep(preset: PresetName, w: Workload, vocabSize?: number): TrainStepHarness {
  return makeTrainStepFor(presetConfig(preset, vocabSize ? { vocabSize } : {}), w);
}

/** The same harness for any model config. */
export function makeTrainStepFor(config: ModelConfig, w: Workload): TrainStepHarness {
  const weights = createWeights(config, 1);
  const state: TrainerState = { config, weights, adam: createAdamState(), seed: 1 };
  const batch = syntheticBatch(config, w);
  const schedule = { lr: 1e-4, totalSteps: 1000, warmupRatio: 0 };
  return {
    config,
    step: async () => (await trainStep(state, [batch], { schedule, clipNorm: 1, labelSmoothing: 0.1 })).loss,
    dispose: () => {
      disposeAdamState(state.adam);
      disposeWeights(weights);
    },
  };
}
