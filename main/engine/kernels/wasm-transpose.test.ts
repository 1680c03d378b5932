import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { collapseTranspose, wasmTransposeConfig } from './wasm-transpose';
import { replaceWasmKernel, restoreStockWasmMatMul, stockWasmKernel } from './wasm-transpose-first';

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('wasm Transpose (runs and tiles)', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
  });

  it('collapses size-1 and in-order neighbours', () => {
    expect(collapseTranspose([2, 3, 4, 5], [0, 2, 1, 3])).toEqual({
      shape: [2, 3, 4, 5],
      perm: [0, 2, 1, 3],
    });
    expect(collapseTranspose([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({ shape: [6, 20], perm: [1, 0] });
    expect(collapseTranspose([1, 7, 1, 9], [3, 2, 1, 0])).toEqual({ shape: [7, 9], perm: [1, 0] });
  });

  it('equals the stock kernel for every permutation up to rank 5 and every dtype', () => {
    const fast = wasmTransposeConfig(stockWasmKernel(tf.Transpose), 0);
    const shapes = [[37], [33, 65], [3, 1, 40], [2, 3, 35, 5], [2, 3, 1, 4, 3]];
    let seed = 1;
    for (const shape of shapes) {
      for (const perm of permutations(shape.length)) {
        for (const dtype of ['float32', 'int32', 'bool'] as const) {
          const x = tf.tidy(() => tf.cast(tf.randomUniform(shape, -4, 4, 'float32', seed++), dtype));
          restoreStockWasmMatMul();
          const a = tf.transpose(x, perm);
          replaceWasmKernel(fast);
          const b = tf.transpose(x, perm);
          expect(b.shape).toEqual(a.shape);
          expect(Array.from(b.dataSync()), `${shape} ${perm} ${dtype}`).toEqual(Array.from(a.dataSync()));
          tf.dispose([x, a, b]);
        }
      }
    }
  });
});
