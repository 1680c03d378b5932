import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { registerWasmTransposeFirst, restoreStockWasmMatMul } from './wasm-transpose-first';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

const combos = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

// [a shape, b shape] before transposes are applied: a is [..., M, K], b is [..., K, N].
const shapes: ReadonlyArray<readonly [number[], number[]]> = [
  [
    [37, 53],
    [53, 29],
  ],
  [
    [4, 16, 8],
    [4, 8, 16],
  ],
  [
    [2, 3, 9, 5],
    [2, 3, 5, 7],
  ],
  [
    [3, 17, 11],
    [11, 6],
  ],
];

function lastTwoSwapped(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[perm.length - 2] = perm.length - 1;
  perm[perm.length - 1] = perm.length - 2;
  return tf.transpose(t, perm);
}

describe('wasm BatchMatMul transpose-first patch', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'wasm', strict: true });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('matches the stock kernel for all transpose combos and batched shapes', () => {
    let seed = 1;
    for (const [aShape, bShape] of shapes) {
      for (const [ta, tb] of combos) {
        const a0 = tf.randomNormal(aShape, 0, 1, 'float32', seed++);
        const b0 = tf.randomNormal(bShape, 0, 1, 'float32', seed++);
        const a = ta ? lastTwoSwapped(a0) : a0.clone();
        const b = tb ? lastTwoSwapped(b0) : b0.clone();
        restoreStockWasmMatMul();
        const stock = tf.matMul(a, b, ta, tb);
        registerWasmTransposeFirst();
        const patched = tf.matMul(a, b, ta, tb);
        expect(patched.shape).toEqual(stock.shape);
        const diff = maxAbsDiff(patched, stock);
        expect(diff, `${aShape} x ${bShape} ta=${ta} tb=${tb}`).toBeLessThan(1e-5);
        tf.dispose([a0, b0, a, b, stock, patched]);
      }
    }
  });

  it('is bit-identical to the stock kernel on the unbatched fast path', () => {
    const a = tf.randomNormal([64, 96], 0, 1, 'float32', 3);
    const b = tf.randomNormal([64, 80], 0, 1, 'float32', 4);
    // transposeA: stock runs the scalar loop, patched runs XNNPACK; compare both with flag-free XNNPACK.
    const aT = tf.transpose(a);
    const reference = tf.matMul(aT, b);
    const patched = tf.matMul(a, b, true, false);
    expect(maxAbsDiff(patched, reference)).toBe(0);
    tf.dispose([a, b, aT, reference, patched]);
  });

  it('matches fused matMul with bias and relu under transposes', () => {
    const a = tf.randomNormal([20, 12], 0, 1, 'float32', 5);
    const b = tf.randomNormal([30, 12], 0, 1, 'float32', 6);
    const bias = tf.randomNormal([30], 0, 1, 'float32', 7);
    const fused = tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' });
    const plain = tf.relu(tf.add(tf.matMul(a, b, false, true), bias));
    expect(maxAbsDiff(fused, plain)).toBeLessThan(1e-5);
    tf.dispose([a, b, bias, fused, plain]);
  });

  it('frees its temporary transposes', () => {
    const a = tf.randomNormal([8, 8]);
    const b = tf.randomNormal([8, 8]);
    const before = tf.memory();
    tf.matMul(a, b, true, true).dispose();
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    tf.dispose([a, b]);
  });
});
