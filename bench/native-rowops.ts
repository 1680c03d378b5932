// Wall and CPU ms per call of the element kernels the native addon threads (native/src/rowops.c):
// the wasm single pass (ops.c, BIOMED_CPU_GEMM=wasm) against native at 1 and 2 threads, each kernel
// called alone at shapes of the cpu-s train step. 2-thread wall figures need an idle machine.
//   npx tsx bench/native-rowops.ts
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { fusedAdamWMany } from '#main/engine/kernels/adamw-many';
import { setCpuGemmKind } from '#main/engine/kernels/cpu-gemm';
import { GELU, GELU_GRAD } from '#main/engine/kernels/gelu';
import { loadNativeGemm } from '#main/engine/kernels/native-gemm';
import { cpuSAdamWSet } from './adamw-set';
import { cpuMs } from './cpu-ms';

await initBackend({ prefer: 'wasm', strict: true });
const { addon, reason } = loadNativeGemm();
if (!addon) throw new Error(reason);

/** Median wall ms of `fn` over `runs` runs after 3 warm-ups. */
function wallMs(fn: () => void, runs = 15): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

type Case = { kernel: string; label: string; run: () => void };
const cases: Case[] = [];

// GELU over the FFN activations [8, 68, 512] (as bench/wasm-ops.ts)
{
  const x = tf.randomNormal([8, 68, 512], 0, 1, 'float32', 1);
  const dy = tf.randomNormal([8, 68, 512], 0, 1, 'float32', 2);
  const call = (name: string, inputs: tf.NamedTensorMap) => () =>
    (tf.engine().runKernel(name, inputs) as tf.Tensor).dispose();
  cases.push({ kernel: GELU, label: '[8,68,512]', run: call(GELU, { x }) });
  cases.push({ kernel: GELU_GRAD, label: '[8,68,512]', run: call(GELU_GRAD, { dy, x }) });
}
// AdamW over a set like cpu-s'
{
  const { items, label, scalars } = cpuSAdamWSet();
  cases.push({
    kernel: 'BiomedAdamWMany',
    label,
    run: () => tf.dispose(fusedAdamWMany(items, scalars).flat()),
  });
}

console.log(`load average ${loadavg()[0]!.toFixed(1)}; native ${addon.info().isa}`);
console.log('kernel, shape: wasm 1 thr | native 1 thr | native 2 thr   (wall ms / CPU ms per call)');
for (const c of cases) {
  const cols: string[] = [];
  for (const [kind, threads] of [
    ['wasm', 1],
    ['native', 1],
    ['native', 2],
  ] as const) {
    setCpuGemmKind(kind);
    process.env['BIOMED_WASM_THREADS'] = String(threads);
    cols.push(`${wallMs(c.run).toFixed(2)} / ${cpuMs(c.run).toFixed(2)}`);
    if (kind === 'native' && addon.info().threads !== threads) throw new Error('thread count not applied');
  }
  console.log(`${c.kernel}, ${c.label}: ${cols.join(' | ')}`);
}
