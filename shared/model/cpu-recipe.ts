import type { ModelConfig } from './config';
import { isCpuRung, PRESETS, type PresetName } from './presets';

/**
 * The recipe of a CPU rung (cpu-xs, cpu-s, cpu-m) trained from random weights on a small dataset:
 * what `biomed demo` trains its ladder with and what New experiment suggests (issue 25). The same
 * for every rung: equal examples seen (batch 8 x 240 steps = 1,920), one peak rate, 10% warmup.
 * At 120 steps cpu-m had not yet learned to count the demo's phantoms; at 240 every rung reads them.
 */
export const CPU_RUNG_RECIPE = { lr: 1.6e-4, steps: 240, batchSize: 8, warmupRatio: 0.1 } as const;

/** Peak learning rate of every CPU rung trained from random weights. */
export const CPU_RUNG_LR = CPU_RUNG_RECIPE.lr;

/**
 * The peak learning rate for a CPU rung trained from random weights on a small dataset: one rate
 * for every rung, as the papers' per-scale recipes keep one fine-tuning rate for S, M and B
 * (VQA-RAD: 5e-5 for all three). The task's fine-tuning rate is for pretrained weights and barely
 * moves random ones in a few hundred steps. The earlier rule, 5e-4 x 64/width, over-drove the
 * narrow rungs: cpu-xs read the phantoms by step 40 and was knocked back to the prior answers by
 * step 60 (gradient norms 4.5 against a clip of 1), a lottery that set the demo's rung order
 * (issue 25; bench/RESULTS.md, session 29). On the demo's counting questions, 240 steps, one rate
 * of 1.25e-4 or 2e-4 gave the ladder at two seeds of three and 1.6e-4 at all three.
 */
export function cpuRungLr(_config: Pick<ModelConfig, 'dModel'>): number {
  return CPU_RUNG_LR;
}

/**
 * The default peak learning rate of a run: the CPU rungs' rate for a CPU rung from random
 * weights, else the task's fine-tuning rate (pretrained or imported weights).
 */
export function defaultLr(scale: PresetName, fromRandom: boolean, taskLr: number): number {
  return fromRandom && isCpuRung(scale) ? cpuRungLr(PRESETS[scale]) : taskLr;
}
