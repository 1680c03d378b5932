// GFLOP/s of the native CPU GEMM (main/engine/kernels/native) against the engine's wasm GEMM on
// the matrix products of one train step, at 1 and 2 threads, through the wasm BatchMatMul kernel:
//   npx tsx bench/native-gemm.ts [--preset cpu-s] [--top 12] [--reps 5] [--sweep]
// --sweep first times the addon alone on square-ish products at 1 and 2 threads (wall, best of
// 200, every product split): where 2 threads start to pay (BIOMED_NATIVE_PARALLEL_MACS).
// The products (shape, transposes, calls per step) are recorded from one real train step of the
// preset. 1 thread: CPU time of this process (reliable on a shared machine); 2 threads: wall time
// (CPU time would count both threads), so only meaningful on an idle machine. The last lines sum
// each configuration over every recorded product, weighted by calls per step.
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { type CpuGemmKind, cpuGemm, setCpuGemmKind } from '#main/engine/kernels/cpu-gemm';
import { loadNativeGemm } from '#main/engine/kernels/native-gemm';
import type { GemmProduct } from '#main/engine/kernels/wasm-gemm';
import { setWasmGemmThreads } from '#main/engine/kernels/wasm-gemm';
import type { WasmBackendLike } from '#main/engine/kernels/wasm-views';
import type { PresetName } from '#shared/model/presets';
import { DEFAULT_WORKLOAD, makeTrainStep } from './train-step-tfjs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const preset = arg('preset', 'cpu-s') as PresetName;
const top = Number(arg('top', '12'));
const reps = Number(arg('reps', '5'));

if (process.argv.includes('--sweep')) {
  const { addon, reason } = loadNativeGemm();
  if (!addon) throw new Error(reason);
  const before = addon.info();
  console.log('native GEMM alone, wall us best of 200 (every product split over the threads):');
  for (const [m, k, n] of [
    [64, 64, 64],
    [128, 64, 128],
    [128, 128, 128],
    [256, 128, 128],
    [544, 128, 128],
    [256, 256, 256],
    [544, 128, 512],
    [512, 512, 512],
  ] as const) {
    const heap = new Float32Array(m * k + k * n + m * n).fill(0.25);
    const us = [1, 2].map((threads) => {
      addon.configure({ threads, minParallelMacs: 0 });
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 200; r++) {
        const t0 = performance.now();
        addon.gemm(heap, 0, m * k, m * k + k * n, 1, 1, m, k, n, false, false);
        best = Math.min(best, performance.now() - t0);
      }
      return (best * 1000).toFixed(1);
    });
    console.log(
      `  ${m}x${k}x${n} (${((m * k * n) / 1e6).toFixed(2)}M MAC): 1 thread ${us[0]} us, 2 threads ${us[1]} us`,
    );
  }
  addon.configure({ threads: before.threads, minParallelMacs: before.minParallelMacs });
}

await initBackend({ prefer: 'wasm', strict: true });
const backend = tf.backend() as unknown as WasmBackendLike;
setCpuGemmKind('native');
const gemm = cpuGemm(backend);
if (!gemm) throw new Error('no native GEMM here');

// Record every product of one train step (after a warm-up step).
interface Shape {
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
  ta: boolean;
  tb: boolean;
  calls: number;
}
const shapes = new Map<string, Shape>();
const multiply = gemm.multiply;
const h = makeTrainStep(preset, DEFAULT_WORKLOAD);
await h.step();
gemm.multiply = (p: GemmProduct) => {
  const ta = p.transposeA === true;
  const key = `${p.batchA},${p.batchB},${p.m},${p.k},${p.n},${ta},${p.transposeB}`;
  const s = shapes.get(key);
  if (s) s.calls++;
  else shapes.set(key, { ...p, ta, tb: p.transposeB, calls: 1 });
  multiply.call(gemm, p);
};
await h.step();
gemm.multiply = multiply;
h.dispose();

const macs = (s: Shape) => Math.max(s.batchA, s.batchB) * s.m * s.k * s.n;
const all = [...shapes.values()].sort((a, b) => b.calls * macs(b) - a.calls * macs(a));
const totalMacs = all.reduce((t, s) => t + s.calls * macs(s), 0);

/** Best-of-reps ms (CPU or wall) of one product through the BatchMatMul kernel. */
function time(s: Shape, kind: CpuGemmKind, threads: number, clock: 'cpu' | 'wall'): number {
  setCpuGemmKind(kind);
  setWasmGemmThreads(threads);
  const aShape = s.ta ? [s.batchA, s.k, s.m] : [s.batchA, s.m, s.k];
  const bShape = s.tb ? [s.batchB, s.n, s.k] : [s.batchB, s.k, s.n];
  const a = tf.randomNormal(aShape);
  const b = tf.randomNormal(bShape);
  tf.matMul(a, b, s.ta, s.tb).dispose();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    const out = tf.matMul(a, b, s.ta, s.tb);
    const w = performance.now() - w0;
    const d = process.cpuUsage(c0);
    out.dispose();
    best = Math.min(best, clock === 'cpu' ? (d.user + d.system) / 1000 : w);
  }
  tf.dispose([a, b]);
  return best;
}

const configs = [
  { label: 'wasm 1t cpu', kind: 'wasm', threads: 1, clock: 'cpu' },
  { label: 'native 1t cpu', kind: 'native', threads: 1, clock: 'cpu' },
  { label: 'wasm 2t wall', kind: 'wasm', threads: 2, clock: 'wall' },
  { label: 'native 2t wall', kind: 'native', threads: 2, clock: 'wall' },
] as const;

console.log(
  `${preset}: ${all.length} distinct products, ${all.reduce((t, s) => t + s.calls, 0)} calls, ` +
    `${(totalMacs / 1e9).toFixed(2)} GMAC per step; ISA ${gemm.kind}; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
console.log(`GFLOP/s per product (top ${top} by MACs per step):`);
console.log(
  `${'[batchA|batchB] MxKxN flags'.padEnd(36)} calls ${configs.map((c) => c.label.padStart(15)).join('')}`,
);
const sums = configs.map(() => 0);
all.forEach((s, i) => {
  const ms = configs.map((c) => time(s, c.kind, c.threads, c.clock));
  ms.forEach((t, j) => {
    sums[j] = sums[j]! + t * s.calls;
  });
  if (i >= top) return;
  const flags = `${s.ta ? 'tA' : ''}${s.tb ? 'tB' : ''}`;
  const label = `[${s.batchA}|${s.batchB}] ${s.m}x${s.k}x${s.n} ${flags}`;
  const gf = ms.map((t) => ((2 * macs(s)) / (t / 1000) / 1e9).toFixed(1).padStart(15));
  console.log(`${label.padEnd(36)} ${String(s.calls).padStart(5)} ${gf.join('')}`);
});
console.log(
  `${'all products, ms per step'.padEnd(42)} ${sums.map((t) => t.toFixed(1).padStart(15)).join('')}`,
);
console.log(
  `${'all products, GFLOP/s'.padEnd(42)} ${sums.map((t) => ((2 * totalMacs) / (t / 1000) / 1e9).toFixed(1).padStart(15)).join('')}`,
);
setCpuGemmKind(undefined);
setWasmGemmThreads(undefined);
