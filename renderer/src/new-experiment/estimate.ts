import { estimateMemory } from '#shared/model/memory';
import { isCpuRung, type PresetName, presetConfig } from '#shared/model/presets';
import { backendFlops } from '#shared/model/throughput';
import { parameterCount } from '#shared/model/weight-shapes';

/** What a scale card shows for one preset. */
export interface ScaleEstimate {
  readonly scale: PresetName;
  readonly params: number;
  readonly memoryBytes: number;
  /** Seconds per training step on the backend in use; rough. */
  readonly secondsPerStep: number;
  readonly totalSeconds: number;
}

/** Parameters, training memory and time of one scale for a workload, on a backend. */
export function estimateScale(
  scale: PresetName,
  w: {
    batchSize: number;
    sourceLength: number;
    targetLength: number;
    steps: number;
    withImage: boolean;
    backend: string;
  },
): ScaleEstimate {
  const config = presetConfig(scale);
  const params = parameterCount(config);
  const memory = estimateMemory(config, { ...w, training: true });
  // 6 FLOPs per parameter per token (forward + backward), over source, image patches and target.
  const patches = w.withImage ? (config.imageSize / 16) ** 2 : 0;
  const tokens = w.batchSize * (w.sourceLength + patches + w.targetLength);
  const secondsPerStep = (6 * params * tokens) / backendFlops(w.backend);
  return {
    scale,
    params,
    memoryBytes: memory.totalBytes,
    secondsPerStep,
    totalSeconds: secondsPerStep * w.steps,
  };
}

/** Paper scales vs CPU rungs, for the cards' captions. */
export function scaleKind(scale: PresetName): string {
  return isCpuRung(scale) ? 'CPU rung' : 'paper scale';
}
