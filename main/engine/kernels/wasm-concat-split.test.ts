import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { wasmConcatConfig, wasmSplitVConfig } from './wasm-concat-split';
import { replaceWasmKernel, restoreStockWasmMatMul, stockWasmKernel } from './wasm-transpose-first';

describe('wasm Concat / SplitV', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
  });

  it('equal the stock kernels on thin and wide pieces, every axis and dtype', () => {
    const concatFast = wasmConcatConfig(stockWasmKernel(tf.Concat));
    const splitFast = wasmSplitVConfig(stockWasmKernel(tf.SplitV));
    let seed = 1;
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (let axis = 0; axis < 4; axis++) {
        const shapes = [3, 1, 70, 2].map((w) => {
          const s = [2, 3, 4, 5];
          s[axis] = w;
          return s;
        });
        const xs = shapes.map((s) =>
          tf.tidy(() => tf.cast(tf.randomUniform(s, -3, 3, 'float32', seed++), dtype)),
        );
        restoreStockWasmMatMul();
        const a = tf.concat(xs, axis);
        const sa = tf.split(a, [3, 1, 70, 2], axis);
        replaceWasmKernel(concatFast);
        replaceWasmKernel(splitFast);
        const b = tf.concat(xs, axis);
        const sb = tf.split(b, [3, 1, 70, 2], axis);
        expect(b.shape).toEqual(a.shape);
        expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
        sb.forEach((t, i) => {
          expect(t.shape).toEqual(sa[i]!.shape);
          expect(Array.from(t.dataSync())).toEqual(Array.from(sa[i]!.dataSync()));
        });
        tf.dispose([...xs, a, b, ...sa, ...sb]);
      }
    }
  });

  it('back-propagates through concat (SplitV) like the stock kernels', () => {
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 3);
    const f = (t: tf.Tensor) =>
      tf.sum(
        tf.square(
          tf.concat([tf.slice(t, [0, 0, 0, 0], [2, 5, 5, 3]), tf.slice(t, [0, 1, 1, 0], [2, 5, 5, 3])], 3),
        ),
      ) as tf.Scalar;
    restoreStockWasmMatMul();
    const g0 = tf.grad(f)(x);
    replaceWasmKernel(wasmConcatConfig(stockWasmKernel(tf.Concat)));
    replaceWasmKernel(wasmSplitVConfig(stockWasmKernel(tf.SplitV)));
    const g1 = tf.grad(f)(x);
    expect(Array.from(g1.dataSync())).toEqual(Array.from(g0.dataSync()));
    tf.dispose([x, g0, g1]);
  });
});
