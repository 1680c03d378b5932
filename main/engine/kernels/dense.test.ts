import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { DENSE, DENSE_GRAD, dense } from './dense';
import { addLean } from './lean-ops';

/** The composed form model/ops.ts runs without DENSE: reshape, matMul, addLean, reshape. */
function composed(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [out, inp] = w.shape as [number, number];
  let y = tf.matMul(tf.reshape(x, [-1, inp]), w, false, true);
  if (b) y = addLean(y, b);
  return tf.reshape(y, [...x.shape.slice(0, -1), out]);
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
      const inp = xShape.at(-1)!;
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1);
      const w = tf.randomNormal([out, inp], 0, 0.3, 'float32', 2);
      const b = withBias ? tf.randomNormal([out], 0, 1, 'float32', 3) : undefined;
      const dyW = tf.randomNormal([...xShape.slice(0, -1), out], 0, 1, 'float32', 4);
      const args = b ? [x, w, b] : [x, w];
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
