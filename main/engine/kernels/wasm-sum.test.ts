import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { wasmMeanConfig, wasmSumConfig } from './wasm-sum';
import { replaceWasmKernel, restoreStockWasmMatMul, stockWasmKernel } from './wasm-transpose-first';

describe('wasm Sum and Mean over leading axes', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
  });

  it('equals the stock kernel for leading, trailing, mixed and full reductions', () => {
    const fast = wasmSumConfig(stockWasmKernel(tf.Sum));
    const fastMean = wasmMeanConfig(stockWasmKernel(tf.Mean));
    const x = tf.randomNormal([6, 5, 4, 3], 0, 1, 'float32', 1);
    const xi = tf.cast(tf.mul(x, 10), 'int32');
    const axesList: Array<number | number[]> = [
      0,
      [0, 1],
      [0, 1, 2],
      3,
      [2, 3],
      [0, 2],
      [0, 1, 2, 3],
      -1,
      [1, 0],
    ];
    for (const t of [x, xi]) {
      for (const axis of axesList) {
        for (const keepDims of [false, true]) {
          for (const op of [tf.sum, tf.mean]) {
            restoreStockWasmMatMul();
            const a = op(t, axis, keepDims);
            replaceWasmKernel(fast);
            replaceWasmKernel(fastMean);
            const b = op(t, axis, keepDims);
            expect(b.shape, `${axis} ${keepDims}`).toEqual(a.shape);
            expect(b.dtype).toBe(a.dtype);
            const av = a.dataSync();
            const bv = b.dataSync();
            for (const [i, v] of bv.entries()) {
              expect(Math.abs(v - av[i]!), `${op.name} ${t.dtype} ${axis}`).toBeLessThan(1e-5);
            }
            tf.dispose([a, b]);
          }
        }
      }
    }
    tf.dispose([x, xi]);
  });
});
