// Worker side of the two-core matmul experiment: its own tfjs wasm backend, fed through a
// SharedArrayBuffer. Protocol (Int32 control words): [0] state 0 idle / 1 job / 2 done,
// [1] m, [2] k, [3] n; floats from byte 64: A (m*k) then B (k*n), C (m*n) written after them.
import { workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';

const sab = workerData.sab as SharedArrayBuffer;
const ctl = new Int32Array(sab, 0, 16);
const floats = new Float32Array(sab, 64);
await initBackend({ prefer: 'wasm', strict: true });
Atomics.store(ctl, 0, 0);
Atomics.store(ctl, 4, 1); // ready
Atomics.notify(ctl, 4);
for (;;) {
  Atomics.wait(ctl, 0, 0);
  if (Atomics.load(ctl, 0) === 3) break;
  const m = ctl[1]!;
  const k = ctl[2]!;
  const n = ctl[3]!;
  const out = tf.tidy(() => {
    const a = tf.tensor2d(floats.subarray(0, m * k), [m, k]);
    const b = tf.tensor2d(floats.subarray(m * k, m * k + k * n), [k, n]);
    return tf.matMul(a, b);
  });
  floats.set(out.dataSync(), m * k + k * n);
  out.dispose();
  Atomics.store(ctl, 0, 2);
  Atomics.notify(ctl, 0);
}
