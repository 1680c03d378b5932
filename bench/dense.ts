// Wall microseconds per call of the dense layer's two kernels (kernels/dense.ts), BiomedDense and
// BiomedDenseGrad with and without bias, composed (before: the BatchMatMul, Add and Sum kernels on
// the native GEMM inside one call) against one native call each way (after: native/src/dense.c),
// at 1 and 2 threads. Median over --loops loops of 100 calls, after 200 warm-up calls; 1 thread
// also in CPU microseconds (reliable on a shared machine). 2-thread figures need an idle machine.
//   npx tsx bench/dense.ts [--shapes 384x64x64,384x64x256] [--loops 15]
// A shape is rows x in x out (cpu-xs: 8 x 48 tokens, d 64, ffn 256).
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '#main/engine/backend/index';
import { DENSE, DENSE_GRAD, setComposedDense } from '#main/engine/kernels/dense';
import { loadNativeGemm } from '#main/engine/kernels/native-gemm';
import { setWasmGemmThreads } from '#main/engine/kernels/wasm-gemm';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const shapes = arg('shapes', '384x64x64,384x64x256').split(',');
const loops = Number(arg('loops', '15'));

await initBackend({ prefer: 'wasm', strict: true });
const { addon, reason } = loadNativeGemm();
if (!addon) throw new Error(reason);

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median wall and CPU us per call of `fn`. */
function time(fn: () => void): { wall: number; cpu: number } {
  for (let i = 0; i < 200; i++) fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < loops; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) fn();
    wall.push((performance.now() - t0) * 10);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 100);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}  native ${addon.info().isa}`,
);
console.log(
  'kernel, rows x in x out: before 1 thr (CPU) | after 1 thr (CPU) | before 2 thr | after 2 thr (wall us per call)',
);
for (const shape of shapes) {
  const [rows, inp, out] = shape.split('x').map(Number) as [number, number, number];
  const x = tf.randomNormal([rows, inp], 0, 1, 'float32', 1);
  const w = tf.randomNormal([out, inp], 0, 0.3, 'float32', 2);
  const b = tf.randomNormal([out], 0, 1, 'float32', 3);
  const dy = tf.randomNormal([rows, out], 0, 1, 'float32', 4);
  const cases: Array<[string, () => void]> = [
    [
      `${DENSE} + bias`,
      () => (tf.engine().runKernel(DENSE, { x, w, bias: b }, { hasBias: true }) as tf.Tensor).dispose(),
    ],
    [
      `${DENSE_GRAD} + bias`,
      () => tf.dispose(tf.engine().runKernel(DENSE_GRAD, { dy, x, w }, { hasBias: true }) as tf.Tensor[]),
    ],
    [
      DENSE_GRAD,
      () => tf.dispose(tf.engine().runKernel(DENSE_GRAD, { dy, x, w }, { hasBias: false }) as tf.Tensor[]),
    ],
  ];
  for (const [name, fn] of cases) {
    const cols: string[] = [];
    for (const threads of [1, 2]) {
      setWasmGemmThreads(threads);
      for (const composed of [true, false]) {
        setComposedDense(composed);
        const t = time(fn);
        cols.push(threads === 1 ? `${t.wall.toFixed(1)} (${t.cpu.toFixed(1)})` : t.wall.toFixed(1));
      }
    }
    console.log(`${name}, ${shape}: ${cols.join(' | ')}`);
  }
  tf.dispose([x, w, b, dy]);
}
setComposedDense(false);
setWasmGemmThreads(undefined);
