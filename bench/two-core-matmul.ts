// Experiment: can a second core help the wasm backend? Splits C = A B by rows between the main
// thread (its half on zero-copy views) and a worker_threads worker running its own tfjs wasm
// backend, synchronised with Atomics on a SharedArrayBuffer. Prints GFLOP/s single vs split.
//   npx tsx bench/two-core-matmul.ts
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';

const sab = new SharedArrayBuffer(64 + 4 * 24_000_000);
const ctl = new Int32Array(sab, 0, 16);
const floats = new Float32Array(sab, 64);
// Workers do not inherit tsx's loader hooks: register them, then import the TypeScript worker.
const entry = new URL('./two-core/matmul-worker.ts', import.meta.url).href;
const worker = new Worker(
  `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
  { eval: true, workerData: { sab } },
);
await initBackend({ prefer: 'wasm', strict: true });
while (Atomics.load(ctl, 4) !== 1) await new Promise((r) => setTimeout(r, 10));

/** C = A B with the bottom rows computed by the worker. a: [m, k], b: [k, n]. */
function splitMatMul(a: tf.Tensor2D, b: tf.Tensor2D, share: number): tf.Tensor2D {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const mTop = Math.round(m * (1 - share));
  const mBot = m - mTop;
  // Ship the worker its rows of A and all of B.
  const aData = a.dataSync();
  floats.set(aData.subarray(mTop * k), 0);
  floats.set(b.dataSync(), mBot * k);
  ctl[1] = mBot;
  ctl[2] = k;
  ctl[3] = n;
  Atomics.store(ctl, 0, 1);
  Atomics.notify(ctl, 0);
  const top = tf.matMul(tf.slice(a, [0, 0], [mTop, k]), b); // main thread's half
  top.dataSync();
  Atomics.wait(ctl, 0, 1);
  const bottom = tf.tensor2d(floats.subarray(mBot * k + k * n, mBot * k + k * n + mBot * n), [mBot, n]);
  const c = tf.concat([top, bottom], 0) as tf.Tensor2D;
  tf.dispose([top, bottom]);
  Atomics.store(ctl, 0, 0);
  return c;
}

function rate(fn: () => tf.Tensor, flops: number): number {
  fn().dispose();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const c = fn();
    c.dataSync();
    times.push(performance.now() - t0);
    c.dispose();
  }
  times.sort((x, y) => x - y);
  return flops / (times[3]! / 1000) / 1e9;
}

console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const [m, k, n] of [
  [1024, 1024, 1024],
  [544, 128, 512],
  [544, 512, 128],
  [256, 128, 4096],
  [2304, 256, 256],
] as const) {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const flops = 2 * m * k * n;
  const one = rate(() => tf.matMul(a, b), flops);
  const two = rate(() => splitMatMul(a, b, 0.5), flops);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(splitMatMul(a, b, 0.5), tf.matMul(a, b)))).dataSync()[0]);
  console.log(
    `[${m},${k}]x[${k},${n}]: one thread ${one.toFixed(1)} GFLOP/s, split over two ${two.toFixed(1)} GFLOP/s ` +
      `(${(two / one).toFixed(2)}x), max diff ${diff}`,
  );
  tf.dispose([a, b]);
}
Atomics.store(ctl, 0, 3);
Atomics.notify(ctl, 0);
await worker.terminate();
