// GFLOP/s of fp32 matmul with and without transposes: stock vs patched kernels, cpu vs wasm.
//   npx tsx bench/matmul.ts [--size 1024] [--reps 5]
// Also an attention-shaped batched product ([32, 64, 64] x [32, 64, 64]) and a projection
// ([8, 100, 128] x [128, 384] as a rank-3 by rank-2 product).
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { wasmBatchMatMulConfig } from '#main/engine/kernels/wasm-batch-mat-mul';
import {
  registerWasmTransposeFirst,
  replaceWasmKernel,
  restoreStockWasmMatMul,
} from '#main/engine/kernels/wasm-transpose-first';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const n = Number(arg('size', '1024'));
const reps = Number(arg('reps', '5'));

type Case = { label: string; a: number[]; b: number[]; ta: boolean; tb: boolean };
const cases: Case[] = [
  { label: `${n}^2`, a: [n, n], b: [n, n], ta: false, tb: false },
  { label: `${n}^2 transposeB`, a: [n, n], b: [n, n], ta: false, tb: true },
  { label: `${n}^2 transposeA`, a: [n, n], b: [n, n], ta: true, tb: false },
  { label: `${n}^2 both`, a: [n, n], b: [n, n], ta: true, tb: true },
  { label: 'attn [32,64,64]x[32,64,64]^T', a: [32, 64, 64], b: [32, 64, 64], ta: false, tb: true },
  { label: 'attn [32,64,64]x[32,64,64]', a: [32, 64, 64], b: [32, 64, 64], ta: false, tb: false },
  { label: 'proj [8,100,128]x[128,384]', a: [8, 100, 128], b: [128, 384], ta: false, tb: false },
];

function gflops(c: Case): number {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const warm = tf.matMul(a, b, c.ta, c.tb);
  const k = c.ta ? c.a[c.a.length - 2]! : c.a[c.a.length - 1]!;
  const flops = 2 * warm.size * k;
  warm.dataSync();
  warm.dispose();
  // CPU time of this (single-threaded) process: wall time is unreliable on a shared machine.
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const out = tf.matMul(a, b, c.ta, c.tb);
    out.dataSync();
    const d = process.cpuUsage(c0);
    times.push((d.user + d.system) / 1000);
    out.dispose();
  }
  tf.dispose([a, b]);
  const best = Math.min(...times);
  return flops / (best / 1000) / 1e9;
}

console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`GFLOP/s from CPU time, best of ${reps}`);
const rows: Record<string, Record<string, string>> = {};
const record = (variant: string) => {
  for (const c of cases) {
    rows[c.label] ??= {};
    rows[c.label]![variant] = gflops(c).toFixed(2);
  }
};

await initBackend({ prefer: 'cpu', strict: true });
record('cpu (JS)');
await initBackend({ prefer: 'wasm', strict: true });
restoreStockWasmMatMul();
record('wasm stock');
registerWasmTransposeFirst([tf.BatchMatMul]);
record('wasm transpose-first');
replaceWasmKernel(wasmBatchMatMulConfig);
record('wasm engine (default: own GEMM on 1 thread)');
console.table(rows);
