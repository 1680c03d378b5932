import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { setWasmOpsMode, wasmOps } from './wasm-ops';
import { sumLeadingRows, wasmMeanConfig, wasmSumConfig } from './wasm-sum';
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

  it('runs the leading-rows sum in ops.c with the bits of the JS loop (odd widths, tails)', () => {
    expect(wasmOps(tf.backend())).toBeDefined();
    replaceWasmKernel(wasmSumConfig(stockWasmKernel(tf.Sum)));
    replaceWasmKernel(wasmMeanConfig(stockWasmKernel(tf.Mean)));
    for (const shape of [
      [7, 3, 13],
      [5, 2, 8],
      [9, 1, 3],
    ]) {
      const x = tf.randomNormal(shape, 0, 3, 'float32', 4);
      const cols = shape[2]!;
      const ref = new Float32Array(cols);
      sumLeadingRows(x.dataSync() as Float32Array, shape[0]! * shape[1]!, cols, ref);
      const before = tf.memory().numTensors;
      const ours = tf.sum(x, [0, 1]);
      expect(Array.from(ours.dataSync()), `${shape}`).toEqual(Array.from(ref));
      const m = tf.mean(x, [0, 1]);
      setWasmOpsMode('composed');
      const mJs = tf.mean(x, [0, 1]);
      setWasmOpsMode(undefined);
      expect(Array.from(m.dataSync())).toEqual(Array.from(mJs.dataSync()));
      tf.dispose([ours, m, mJs]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    }
  });
});
