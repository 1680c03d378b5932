import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { wasmGatherConfig } from './wasm-gather';
import { replaceWasmKernel, restoreStockWasmMatMul, stockWasmKernel } from './wasm-transpose-first';

describe('wasm GatherV2 as row copies', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
  });

  it('equals the stock kernel on every axis, index shape and dtype', () => {
    const fast = wasmGatherConfig(stockWasmKernel(tf.GatherV2));
    const idxs = [
      tf.tensor1d([2, 0, 2, 1], 'int32'),
      tf.tensor2d(
        [
          [1, 0],
          [0, 0],
          [2, 1],
        ],
        [3, 2],
        'int32',
      ),
    ];
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const x = tf.tidy(() => tf.cast(tf.randomUniform([3, 3, 70, 3], -4, 4, 'float32', 7), dtype));
      for (const axis of [0, 1, 3, -1]) {
        for (const idx of idxs) {
          restoreStockWasmMatMul();
          const a = tf.gather(x, idx, axis);
          replaceWasmKernel(fast);
          const b = tf.gather(x, idx, axis);
          expect(b.shape).toEqual(a.shape);
          expect(Array.from(b.dataSync()), `${dtype} ${axis}`).toEqual(Array.from(a.dataSync()));
          tf.dispose([a, b]);
        }
      }
      x.dispose();
    }
    tf.dispose(idxs);
  });

  it('rejects out-of-range indices', () => {
    replaceWasmKernel(wasmGatherConfig(stockWasmKernel(tf.GatherV2)));
    const x = tf.zeros([3, 2]);
    expect(() => tf.gather(x, tf.tensor1d([3], 'int32'))).toThrow(/not in \[0, 2\]/);
    x.dispose();
  });
});
