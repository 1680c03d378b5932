/**
 * The train step of one rung on WebGPU, for bench/gpu/run.sh (bundled with everything but
 * dawn.node into one file by bench/gpu/vite.config.ts, so it runs where there is no npm).
 * Prints one JSON line: adapter, step times, FLOPs and TFLOP/s, dispatches per step, peak GPU
 * memory, GPU time per kernel class (one more step timed with timestamp queries; null where the
 * adapter has none), the memory check. `kernels` (own|stock) and `precision` (f32|f16) set
 * BIOMED_WEBGPU_KERNELS and BIOMED_WEBGPU_PRECISION before the backend starts.
 *   node webgpu-step.mjs '{"preset":"Base","steps":5,"warmup":2,"batch":8,"sourceLength":32,"targetLength":32,"kernels":"own","precision":"f16"}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { gpuFit } from '#main/engine/backend/gpu-fit';
import { adapterLine, initBackend, webgpuPrecisionLine } from '#main/engine/backend/index';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { countMatMulFlops } from '../count-flops';
import { makeTrainStepFor, type Workload } from '../train-step-tfjs';
import { kernelClassTimes } from './kernel-times';

interface Args extends Workload {
  readonly preset: PresetName | 'tiny';
  readonly steps: number;
  readonly warmup: number;
  /** Device memory in bytes when known (nvidia-smi), for the fit check. */
  readonly deviceBytes?: number;
  readonly kernels?: 'own' | 'stock';
  readonly precision?: 'f32' | 'f16';
}

const a = {
  steps: 5,
  warmup: 2,
  batch: 8,
  sourceLength: 32,
  targetLength: 32,
  withImage: true,
  ...JSON.parse(process.argv[2] ?? '{}'),
} as Args;
if (a.kernels) process.env['BIOMED_WEBGPU_KERNELS'] = a.kernels;
if (a.precision) process.env['BIOMED_WEBGPU_PRECISION'] = a.precision; // before the GPU loads: Dawn's f16 toggle
const t0 = performance.now();
const info = await initBackend({ prefer: 'webgpu', strict: true });
const adapter = info.adapter!;
const config =
  a.preset === 'tiny'
    ? tinyTestConfig({ vocabSize: 300, maxSourcePositions: 64, maxTargetPositions: 64 })
    : presetConfig(a.preset);
const fit = gpuFit(
  config,
  { batchSize: a.batch, sourceLength: a.sourceLength, targetLength: a.targetLength, training: true },
  adapter,
  a.deviceBytes,
);
const out: Record<string, unknown> = {
  preset: a.preset,
  kernels: process.env['BIOMED_WEBGPU_KERNELS'] ?? 'own',
  precision: webgpuPrecisionLine(),
  adapter: adapterLine(adapter),
  adapterInfo: adapter,
  fit,
  config,
};
if (!fit.ok) {
  console.log(JSON.stringify({ ...out, error: fit.reason }));
  process.exit(3);
}
type GpuMemory = tf.MemoryInfo & { numBytesInGPU?: number; numBytesAllocatedInGPU?: number };
let peakInUse = 0;
let peakAllocated = 0;
const sample = () => {
  const m = tf.memory() as GpuMemory;
  peakInUse = Math.max(peakInUse, m.numBytesInGPU ?? 0);
  peakAllocated = Math.max(peakAllocated, m.numBytesAllocatedInGPU ?? 0);
};
const h = makeTrainStepFor(config, a);
const times: number[] = [];
let loss = 0;
let skipped = 0; // f16: updates the loss scaler skipped (an overflow; loss NaN), counted in the times
for (let i = 0; i < a.warmup + a.steps; i++) {
  const s = performance.now();
  loss = await h.step(); // the step reads loss and gradient norm: the GPU has finished it
  if (Number.isNaN(loss)) skipped++;
  sample();
  if (i >= a.warmup) times.push(performance.now() - s);
}
resetWebgpuDispatches();
const flops = await countMatMulFlops('webgpu', () => h.step());
const dispatches = webgpuDispatches().total; // one step, own kernels unless BIOMED_WEBGPU_KERNELS=stock
sample();
const kernelMs = await kernelClassTimes(() => h.step());
const median = [...times].sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
h.dispose();
console.log(
  JSON.stringify({
    ...out,
    backend: info.version,
    median_ms: median,
    times_ms: times.map((t) => Math.round(t)),
    dispatches_per_step: dispatches,
    kernel_ms: kernelMs ?? null,
    matmul_flops: flops,
    tflops: flops / (median / 1000) / 1e12,
    loss,
    skipped_updates: skipped,
    peak_gpu_bytes_in_use: peakInUse,
    peak_gpu_bytes_allocated: peakAllocated,
    wall_s: (performance.now() - t0) / 1000,
  }),
);
process.exit(0);
