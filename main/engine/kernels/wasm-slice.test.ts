import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { collapseSlice, wasmSliceConfig } from './wasm-slice';
import { replaceWasmKernel, restoreStockWasmMatMul, stockWasmKernel } from './wasm-transpose-first';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('wasm Slice with collapsed runs', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('merges dimensions taken whole', () => {
    // [B, H, W, C] slice of rows 1..2 with full W and C: one run per batch.
    expect(collapseSlice([2, 4, 5, 3], [0, 1, 0, 0], [2, 2, 5, 3])).toEqual({
      shape: [2, 60],
      begin: [0, 15],
      size: [2, 30],
    });
    expect(collapseSlice([1, 1], [0, 0], [1, 1])).toEqual({ shape: [1], begin: [0], size: [1] });
  });

  it('equals the stock kernel on random slices of rank 1 to 6 and every dtype', () => {
    const rand = rng(42);
    const stock = stockWasmKernel(tf.Slice)!;
    const fast = wasmSliceConfig(stock);
    for (let trial = 0; trial < 120; trial++) {
      const rank = 1 + (trial % 6);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(rand() * 5));
      const begin = shape.map((s) => Math.floor(rand() * s));
      const size = shape.map((s, i) => (rand() < 0.3 ? -1 : 1 + Math.floor(rand() * (s - begin[i]!))));
      const dtype = (['float32', 'int32', 'bool'] as const)[trial % 3]!;
      const x = tf.tidy(() => tf.cast(tf.mul(tf.randomUniform(shape, -5, 5, 'float32', trial), 1), dtype));
      restoreStockWasmMatMul();
      const a = tf.slice(x, begin, size);
      replaceWasmKernel(fast);
      const b = tf.slice(x, begin, size);
      expect(b.shape).toEqual(a.shape);
      expect(b.dtype).toBe(a.dtype);
      expect(Array.from(b.dataSync()), `${shape} ${begin} ${size}`).toEqual(Array.from(a.dataSync()));
      tf.dispose([x, a, b]);
    }
  });

  it('slices the rank-6 stride-2 view im2col uses and its gradient', () => {
    const x = tf.randomNormal([2, 3, 2, 4, 2, 5], 0, 1, 'float32', 1);
    const y = tf.slice(x, [0, 0, 0, 0, 0, 0], [2, 3, 1, 4, 1, 5]);
    const ref = tf.tidy(() => tf.reshape(tf.gather(tf.gather(x, [0], 2), [0], 4), [2, 3, 1, 4, 1, 5]));
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const g = tf.grad(
      (t: tf.Tensor) => tf.sum(tf.slice(t, [0, 1, 0, 0, 1, 0], [2, 2, 1, 4, 1, 5])) as tf.Scalar,
    )(x);
    expect(tf.sum(g).dataSync()[0]).toBe(2 * 2 * 4 * 5);
    tf.dispose([x, y, ref, g]);
  });
});
