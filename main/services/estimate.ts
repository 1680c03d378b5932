import { totalmem } from 'node:os';
import { measuredGflops } from '#main/jobs/backends';
import type { ResourceEstimate } from '#shared/domain/experiment';
import { type ModelConfig, patchGrid } from '#shared/model/config';
import { estimateMemory } from '#shared/model/memory';
import { backendFlops } from '#shared/model/throughput';
import { parameterCount } from '#shared/model/weight-shapes';

/**
 * A train step's sustained rate over the backend's plain matmul rate: wasm reaches 11.2 GFLOP/s in
 * a cpu-s step against 19-25 for a bare 1024^3 matmul (FINDINGS.md), about half.
 */
const STEP_EFFICIENCY = 0.5;

const GIB = 1024 ** 3;
/** tfjs-backend-wasm's heap limit (emscripten getHeapMax: 4 GiB - 64 KiB). */
const WASM_HEAP_MAX = 4294901760;

/** What an estimate is made for. */
export interface EstimateInput {
  readonly config: ModelConfig;
  readonly batchSize: number;
  readonly maxSrcLength: number;
  readonly maxTgtLength: number;
  readonly withImage: boolean;
  readonly steps: number;
  readonly backend: string;
  /** Memory the device offers; default: this machine's RAM. */
  readonly deviceMemoryBytes?: number;
}

/**
 * Memory (shared/model/memory.ts) and time of a training run. Time counts 6 FLOPs per parameter
 * per token (forward + backward) over the encoder's patches and text plus the decoder's tokens,
 * with the typical token counts of half the length limits.
 */
export function estimateRun(input: EstimateInput): ResourceEstimate {
  const { config } = input;
  const params = parameterCount(config);
  const memory = estimateMemory(config, {
    batchSize: input.batchSize,
    sourceLength: input.maxSrcLength,
    targetLength: input.maxTgtLength,
    training: true,
    withImage: input.withImage,
  });
  // The WebAssembly backend addresses at most 4 GiB whatever the machine has.
  const deviceMemoryBytes =
    input.deviceMemoryBytes ?? (input.backend === 'wasm' ? Math.min(totalmem(), WASM_HEAP_MAX) : totalmem());
  const tokens =
    (input.withImage ? patchGrid(config) ** 2 : 0) +
    Math.ceil(input.maxSrcLength / 2) +
    Math.ceil(input.maxTgtLength / 2);
  const flopsPerStep = 6 * params * tokens * input.batchSize;
  // The backend in use was timed at start-up (main/jobs/backends.ts); the table is the fallback.
  const measured = measuredGflops(input.backend);
  const flops = measured ? measured * 1e9 * STEP_EFFICIENCY : backendFlops(input.backend);
  const secondsPerStep = flopsPerStep / flops;
  return {
    scale: config.name,
    params,
    memoryBytes: memory.totalBytes,
    deviceMemoryBytes,
    fits: memory.totalBytes <= deviceMemoryBytes * 0.9,
    backend: input.backend,
    steps: input.steps,
    secondsPerStep,
    totalSeconds: secondsPerStep * input.steps,
    advice: null,
  };
}

/**
 * Why a run does not fit and what would: a smaller batch, a backend without WebAssembly's 4 GiB
 * (when this machine has the memory), or cluster profiles whose jobs ask for enough.
 */
export function unfitAdvice(
  input: EstimateInput,
  e: ResourceEstimate,
  clusters: readonly { readonly name: string; readonly memoryBytes: number }[],
): string {
  const need = `needs about ${(e.memoryBytes / GIB).toFixed(1)} GiB at batch size ${input.batchSize}`;
  const wasm = input.backend === 'wasm' && e.deviceMemoryBytes === WASM_HEAP_MAX;
  const limit = wasm
    ? `WebAssembly addresses at most 4 GiB (${((WASM_HEAP_MAX * 0.9) / GIB).toFixed(1)} GiB usable)`
    : `this machine has ${(e.deviceMemoryBytes / GIB).toFixed(1)} GiB (90% usable)`;
  const offers: string[] = [];
  for (let b = Math.floor(input.batchSize / 2); b >= 1; b = Math.floor(b / 2)) {
    if (estimateRun({ ...input, batchSize: b }).fits) {
      offers.push(`batch size ${b}`);
      break;
    }
    if (b === 1) break;
  }
  if (wasm && e.memoryBytes <= totalmem() * 0.9) offers.push('the webgpu or cpu backend (no 4 GiB limit)');
  const fitting = clusters.filter((c) => c.memoryBytes >= e.memoryBytes).map((c) => `cluster "${c.name}"`);
  offers.push(...(fitting.length ? fitting : ['a cluster profile with more memory (Settings)']));
  return `Will not fit: ${need}, and ${limit}. Would fit: ${offers.join('; ')}.`;
}

/** The refusal message of a run that does not fit the device. */
export function memoryRefusal(e: ResourceEstimate, batchSize: number): string {
  if (e.advice) return `Scale ${e.scale}: ${e.advice}`;
  return `Scale ${e.scale} needs about ${(e.memoryBytes / GIB).toFixed(1)} GiB to train at batch size ${batchSize}, but this device has ${(e.deviceMemoryBytes / GIB).toFixed(1)} GiB (90% usable). Choose a smaller scale preset or batch size.`;
}
