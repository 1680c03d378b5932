import type { ModelConfig } from './config';
import { isCpuRung, PRESETS, type PresetName } from './presets';

/** Peak learning rate of the narrowest CPU rung (cpu-xs, width 64) trained from scratch. */
export const CPU_RUNG_BASE_LR = 5e-4;
const BASE_WIDTH = 64;

/**
 * The peak learning rate for a CPU rung trained from random weights on a small dataset:
 * 5e-4 at width 64, scaled by 1/width (cpu-xs 5e-4, cpu-s 2.5e-4, cpu-m 1.25e-4), as the
 * papers' per-scale recipes lower the rate with scale. The task's fine-tuning rate (5e-5 for
 * VQA) is for pretrained weights and barely moves random ones in a few hundred steps; one rate
 * for every rung over-drives the wider ones (measured on the phantom VQA, issue 25: cpu-xs
 * 200 steps 2e-3 -> prior, 5e-4 -> 67.0%; cpu-s 1e-3 -> 40.2%, 5e-4 -> 58.9%, 2.5e-4 -> 66.1%).
 */
export function cpuRungLr(config: Pick<ModelConfig, 'dModel'>): number {
  return (CPU_RUNG_BASE_LR * BASE_WIDTH) / config.dModel;
}

/**
 * The default peak learning rate of a run: the per-width rule for a CPU rung from random
 * weights, else the task's fine-tuning rate (pretrained or imported weights).
 */
export function defaultLr(scale: PresetName, fromRandom: boolean, taskLr: number): number {
  return fromRandom && isCpuRung(scale) ? cpuRungLr(PRESETS[scale]) : taskLr;
}
