// One (rung, backend) train-step measurement in its own process, so peak RSS is its own.
// Usage: npx tsx bench/train-step-child.ts '{"preset":"cpu-s","backend":"wasm","steps":5,...}'
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '#main/engine/backend/index';
import { initBackend } from '#main/engine/backend/index';
import type { PresetName } from '#shared/model/presets';
import { countMatMulFlops } from './count-flops';
import { makeTrainStep, type Workload } from './train-step-tfjs';

interface ChildArgs extends Workload {
  readonly preset: PresetName;
  readonly backend: BackendName;
  readonly steps: number;
  readonly warmup: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const info = await initBackend({ prefer: args.backend, strict: true });
const h = makeTrainStep(args.preset, args);
for (let i = 0; i < args.warmup; i++) await h.step();
const tensorsBefore = tf.memory().numTensors;
const times: number[] = [];
const cpuTimes: number[] = [];
let loss = 0;
for (let i = 0; i < args.steps; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  loss = await h.step();
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpuTimes.push((c.user + c.system) / 1000);
}
const tensorsAfter = tf.memory().numTensors;
const flops = await countMatMulFlops(info.name, () => h.step());
// Kernel calls one step dispatches through the engine (tf.profile: forward, backward, update).
const profile = await tf.profile(async () => {
  await h.step();
});
const byName = new Map<string, number>();
for (const k of profile.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + 1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const wasmHeap =
  info.name === 'wasm' ? (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length : 0;
console.log(
  JSON.stringify({
    preset: args.preset,
    backend: info.name,
    threads: info.threads,
    kernels: info.kernels,
    median_ms: median(times),
    times_ms: times.map((t) => Math.round(t)),
    // CPU time of this process: less sensitive than wall time to other load on the machine.
    median_cpu_ms: median(cpuTimes),
    flops,
    kernel_calls: profile.kernels.length,
    top_kernels: [...byName].sort((a, b) => b[1] - a[1]).slice(0, 12),
    loss,
    tensor_growth_per_step: (tensorsAfter - tensorsBefore) / args.steps,
    tf_bytes: tf.memory().numBytes,
    wasm_heap_bytes: wasmHeap,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
h.dispose();
