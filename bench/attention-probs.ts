// CPU time of the attention-probability kernels of one train step (BiomedAttentionProbs and its
// gradient, scores GEMM included) on wasm: tfjs' composition (BatchMatMul, Add, Softmax, Multiply;
// backward 5 more kernels) against the native rows pass (native/src/attention.c), both on the
// native GEMM, at 1 and 2 threads:
//   npx tsx bench/attention-probs.ts [--preset cpu-s] [--reps 20]
// The calls (inputs and attributes) are recorded from one real train step of the preset. 1 thread:
// CPU time of this process; 2 threads: wall time (CPU time would count both), meaningful only on
// an idle machine. Totals are per train step.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD } from '#main/engine/kernels/attention-probs';
import { setCpuGemmKind } from '#main/engine/kernels/cpu-gemm';
import { setComposedAttention } from '#main/engine/kernels/wasm-attention-probs';
import { setWasmGemmThreads } from '#main/engine/kernels/wasm-gemm';
import type { PresetName } from '#shared/model/presets';
import { DEFAULT_WORKLOAD, makeTrainStep } from './train-step-tfjs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const preset = arg('preset', 'cpu-s') as PresetName;
const reps = Number(arg('reps', '20'));

await initBackend({ prefer: 'wasm', strict: true });
setCpuGemmKind('native');

// Record the calls of one train step (after a warm-up step): their input shapes, then random
// inputs of those shapes (the time does not depend on the values).
interface Call {
  name: string;
  inputs: Record<string, tf.Tensor>;
  attrs: Record<string, unknown>;
}
const recorded: Array<{ name: string; shapes: Record<string, number[]>; attrs: Record<string, unknown> }> =
  [];
const h = makeTrainStep(preset, DEFAULT_WORKLOAD);
await h.step();
for (const name of [ATTENTION_PROBS, ATTENTION_PROBS_GRAD]) {
  const k = tf.getKernel(name, 'wasm')!;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    ...k,
    kernelFunc: ((args: { inputs: Record<string, tf.TensorInfo>; attrs: Record<string, unknown> }) => {
      const shapes = Object.fromEntries(Object.entries(args.inputs).map(([key, t]) => [key, [...t.shape]]));
      recorded.push({ name, shapes, attrs: args.attrs });
      return k.kernelFunc(args as never);
    }) as typeof k.kernelFunc,
  });
}
await h.step();
h.dispose();
const calls: Call[] = recorded.map(({ name, shapes, attrs }, i) => ({
  name,
  attrs,
  inputs: Object.fromEntries(
    Object.entries(shapes).map(([key, shape]) => [
      key,
      key === 'mult' ? tf.fill(shape, 1 / 0.9) : tf.randomNormal(shape, 0, 1, 'float32', i),
    ]),
  ),
}));
const sizes = new Map<string, number>();
for (const { name, shapes } of recorded) {
  const key = `${name === ATTENTION_PROBS ? 'fwd' : 'grad'} q [${shapes['q']}] k [${shapes['k']}] bias [${shapes['bias']}]${shapes['mult'] ? ' mult' : ''}`;
  sizes.set(key, (sizes.get(key) ?? 0) + 1);
}
console.log(`${preset}: ${calls.length} attention kernel calls per step, load ${loadavg()[0]!.toFixed(1)}`);
for (const [key, n] of sizes) console.log(`  ${n} x ${key}`);

/** ms per train step (all recorded calls once), best of `reps`: CPU (1 thread) or wall. */
function time(threads: number, composed: boolean): number {
  setWasmGemmThreads(threads);
  setComposedAttention(composed);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const c of calls) {
      tf.dispose(tf.engine().runKernel(c.name, c.inputs as never, c.attrs as never) as tf.Tensor);
    }
    const cpu = process.cpuUsage(c0);
    const ms = threads === 1 ? (cpu.user + cpu.system) / 1000 : performance.now() - t0;
    best = Math.min(best, ms);
  }
  return best;
}

for (const [what, composed] of [
  ['tfjs composition', true],
  ['native rows pass', false],
] as const) {
  const one = time(1, composed);
  const two = time(2, composed);
  console.log(
    `${what.padEnd(18)} 1 thread ${one.toFixed(2)} ms CPU per step, 2 threads ${two.toFixed(2)} ms wall`,
  );
}
setComposedAttention(false);
setWasmGemmThreads(undefined);
