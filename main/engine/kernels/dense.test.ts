import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { cpuGemm } from './cpu-gemm';
import { DENSE, DENSE_GRAD, dense, setComposedDense } from './dense';
import { addLean } from './lean-ops';
import { loadNativeGemm } from './native-gemm';
import { bits } from './test-native';
import { setWasmGemmThreads } from './wasm-gemm';
import type { WasmBackendLike } from './wasm-views';

/** The composed form model/ops.ts runs without DENSE: reshape, matMul, addLean, reshape. */
function composed(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [out, inp] = w.shape as [number, number];
  let y = tf.matMul(tf.reshape(x, [-1, inp]), w, false, true);
  if (b) y = addLean(y, b);
  return tf.reshape(y, [...x.shape.slice(0, -1), out]);
}

/** Random x [..., in], w [out, in], b [out] (withBias) and a loss weight dyW [..., out], from `seed`. */
function layerData(xShape: number[], out: number, withBias: boolean, seed: number) {
  const x = tf.randomNormal(xShape, 0, 1, 'float32', seed);
  const w = tf.randomNormal([out, xShape.at(-1)!], 0, 0.3, 'float32', seed + 1);
  const b = withBias ? tf.randomNormal([out], 0, 1, 'float32', seed + 2) : undefined;
  const dyW = tf.randomNormal([...xShape.slice(0, -1), out], 0, 1, 'float32', seed + 3);
  return { x, w, b, dyW, args: b ? [x, w, b] : [x, w] };
}

const cases: Array<[string, number[], number, boolean]> = [
  ['3-D x with bias', [2, 5, 7], 3, true],
  ['2-D x without bias', [9, 6], 4, false],
  // 4 * 96 * 64 * 160 multiply-adds: large enough for the GEMM's thread pool
  ['large 3-D x with bias', [4, 96, 64], 160, true],
];

describe('dense layer in one kernel call each way on wasm', () => {
  for (const [what, xShape, out, withBias] of cases) {
    it(`equals reshape + matMul + add + reshape and its gradients bit for bit: ${what}`, async () => {
      await initBackend({ prefer: 'wasm', strict: true });
      const { x, w, b, dyW, args } = layerData(xShape, out, withBias, 1);
      const loss =
        (f: (...t: tf.Tensor[]) => tf.Tensor) =>
        (...t: tf.Tensor[]) =>
          tf.sum(tf.mul(f(...t), dyW)) as tf.Scalar;
      const one = (xx: tf.Tensor, ww: tf.Tensor, bb?: tf.Tensor) => dense(xx, ww, bb)!;
      const prof = await tf.profile(() => one(x, w, b));
      expect(prof.kernels.map((k) => k.name)).toEqual([DENSE]);
      const y = one(x, w, b);
      expect(y.shape).toEqual([...xShape.slice(0, -1), out]);
      expect(y.dataSync()).toEqual(composed(x, w, b).dataSync());
      const gOne = tf.grads(loss(one))(args);
      const gRef = tf.grads(loss(composed))(args);
      for (const [i, g] of gOne.entries()) {
        expect(g.shape).toEqual(args[i]!.shape);
        expect(g.dataSync(), `gradient ${i}`).toEqual(gRef[i]!.dataSync());
      }
      // one backward call for all of dx, dW (and db)
      const back = await tf.profile(() => tf.grads(loss(one))(args));
      expect(back.kernels.filter((k) => k.name === DENSE_GRAD)).toHaveLength(1);
      expect(back.kernels.filter((k) => k.name === tf.BatchMatMul || k.name === tf.Sum)).toHaveLength(1); // loss only
      const before = tf.memory().numTensors;
      tf.dispose(tf.grads(loss(one))(args));
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('names a mismatched input size', async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    expect(() => dense(tf.zeros([2, 5]), tf.zeros([3, 4]))).toThrow(/x 2,5 does not end in w's 4 inputs/);
  });
});

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`dense.test (native): skipped, ${reason}`);
const nativeSuite = addon || process.env['CI'] ? describe : describe.skip;

// db over 1, 7 and 385 rows of 1, 17 and 64 columns; a rank-3 x; products above the split threshold
const nativeCases: Array<[number[], number, boolean]> = [
  [[1, 5], 1, true],
  [[7, 13], 17, true],
  [[385, 33], 64, true],
  [[5, 77, 17], 1, true],
  [[8, 48, 64], 64, false],
  [[8, 48, 64], 256, true],
];

nativeSuite('the dense layer through the native addon (native/src/dense.c)', () => {
  const threshold = addon?.info().minParallelMacs;
  afterAll(() => {
    setWasmGemmThreads(undefined);
    setComposedDense(false);
    if (threshold !== undefined) addon?.configure({ minParallelMacs: threshold });
  });

  it("is one native call each way with the composed kernels' bits at 1, 2 and 3 threads, split or not", async () => {
    if (!addon) throw new Error(reason);
    await initBackend({ prefer: 'wasm', strict: true });
    const layer = cpuGemm(tf.backend() as unknown as WasmBackendLike)?.dense;
    if (!layer) throw new Error('the native GEMM runs but offers no dense layer');
    const forward = vi.spyOn(layer, 'forward');
    const backward = vi.spyOn(layer, 'backward');
    for (const [xShape, out, withBias] of nativeCases) {
      const { x, w, b, dyW, args } = layerData(xShape, out, withBias, 5);
      const run = () => {
        const f = (...t: tf.Tensor[]) => tf.sum(tf.mul(dense(t[0]!, t[1]!, t[2])!, dyW)) as tf.Scalar;
        const gs = tf.grads(f)(args);
        const all = [dense(x, w, b)!, ...gs].map((t) => bits(t.dataSync() as Float32Array).slice());
        tf.dispose(gs);
        return all;
      };
      setComposedDense(true);
      setWasmGemmThreads(1);
      const calls = forward.mock.calls.length + backward.mock.calls.length;
      const want = run();
      expect(forward.mock.calls.length + backward.mock.calls.length).toBe(calls);
      setComposedDense(false);
      for (const threads of [1, 2, 3]) {
        for (const minParallelMacs of [0, threshold!]) {
          setWasmGemmThreads(threads);
          addon.configure({ minParallelMacs });
          const before = backward.mock.calls.length;
          const got = run();
          expect(backward.mock.calls.length).toBe(before + 1);
          got.forEach((g, i) => {
            const wrong = g.findIndex((v, j) => v !== want[i]![j]);
            expect(wrong, `[${xShape}] x ${out} output ${i}, ${threads} threads`).toBe(-1);
          });
        }
      }
      tf.dispose([x, w, dyW, ...(b ? [b] : [])]);
    }
    expect(forward).toHaveBeenCalled();
  });
});
