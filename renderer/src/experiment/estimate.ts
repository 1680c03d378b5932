import { estimateMemory } from '#shared/model/memory';
import { isCpuRung, type PresetName, presetConfig } from '#shared/model/presets';
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

/**
 * Sustained training throughput, in FLOP/s, that TensorFlow.js reaches on each backend on a
 * typical workstation. Rough by design: it ranks the rungs and tells minutes from days.
 */
const BACKEND_FLOPS: Record<string, number> = {
  'node-gpu': 2e12,
  webgpu: 1e12,
  tensorflow: 4e10,
  wasm: 1.2e10,
  cpu: 1.5e9,
};

/** The effective FLOP/s of a backend by name (unknown names count as the JavaScript backend). */
export function backendFlops(backend: string): number {
  const key = Object.keys(BACKEND_FLOPS).find((k) => backend.toLowerCase().includes(k));
  return BACKEND_FLOPS[key ?? 'cpu'] ?? 1.5e9;
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
