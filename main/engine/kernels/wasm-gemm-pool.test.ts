import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { wasmBatchMatMulConfig } from './wasm-batch-mat-mul';
import {
  closeWasmGemmPools,
  POOL_MIN_MACS,
  setWasmGemmKind,
  setWasmGemmThreads,
  wasmGemm,
  wasmGemmSplitProducts,
  wasmGemmThreads,
  wasmGemmThreadsFromEnv,
} from './wasm-gemm';
import { replaceWasmKernel } from './wasm-transpose-first';
import type { WasmBackendLike } from './wasm-views';

// [a, b] before transposes, each at least POOL_MIN_MACS multiply-adds so the pool splits them:
// rows not a multiple of 4 per thread, b shared across a batch (folded rows), per-slice b with
// odd batch counts, a broadcast over b's batch, N not a multiple of 8.
const shapes: ReadonlyArray<readonly [number[], number[]]> = [
  [
    [203, 97],
    [97, 61],
  ],
  [
    [5, 41, 67],
    [67, 83],
  ],
  [
    [7, 33, 40],
    [7, 40, 129],
  ],
  [
    [1, 45, 64],
    [5, 64, 77],
  ],
];

const bits = (t: tf.Tensor) => new Uint32Array(new Float32Array(t.dataSync()).buffer);

describe('the engine GEMM on a pool of wasm threads', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    replaceWasmKernel(wasmBatchMatMulConfig);
  });
  afterAll(() => {
    setWasmGemmThreads(undefined);
    setWasmGemmKind(undefined);
    closeWasmGemmPools();
  });

  it('reads BIOMED_WASM_THREADS and refuses a bad count by name', () => {
    expect(wasmGemmThreadsFromEnv({ BIOMED_WASM_THREADS: '3' })).toBe(3);
    expect(wasmGemmThreadsFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(() => wasmGemmThreadsFromEnv({ BIOMED_WASM_THREADS: '0' })).toThrow(/BIOMED_WASM_THREADS='0'/);
    expect(() => setWasmGemmThreads(9)).toThrow(/from 1 to 8/);
  });

  for (const kind of ['fma', 'simd'] as const) {
    it(`gives the same bits on 1, 2 and 3 threads (${kind}), all orientations`, () => {
      setWasmGemmKind(kind);
      const gemm = wasmGemm(tf.backend() as unknown as WasmBackendLike);
      expect(gemm).toBeDefined();
      for (const [sa, sb] of shapes) {
        const batch = Math.max(sa.length > 2 ? sa[0]! : 1, sb.length > 2 ? sb[0]! : 1);
        const macs = batch * sa.at(-2)! * sa.at(-1)! * sb.at(-1)!;
        expect(macs).toBeGreaterThanOrEqual(POOL_MIN_MACS);
        for (const [ta, tb] of [
          [false, false],
          [false, true],
          [true, true],
        ] as const) {
          const a = tf.randomNormal(sa, 0, 1, 'float32', 11);
          const b = tf.randomNormal(sb, 0, 1, 'float32', 12);
          const swap = (t: tf.Tensor) => {
            const perm = t.shape.map((_, i) => i);
            perm.push(...perm.splice(-2).reverse());
            return tf.transpose(t, perm);
          };
          const aa = ta ? swap(a) : a;
          const bb = tb ? swap(b) : b;
          const results = [1, 2, 3].map((threads) => {
            setWasmGemmThreads(threads);
            expect(wasmGemmThreads()).toBe(threads);
            const before = wasmGemmSplitProducts();
            const c = tf.matMul(aa, bb, ta, tb);
            // transposed a takes a transpose first, then one split product (none on one thread)
            expect(wasmGemmSplitProducts() - before).toBe(threads > 1 ? 1 : 0);
            return c;
          });
          const one = bits(results[0]!);
          for (const r of results.slice(1)) expect(bits(r)).toEqual(one);
          // and the product itself is right (float64 reference on a few entries)
          const av = a.arraySync() as number[][] | number[][][];
          const bv = b.arraySync() as number[][] | number[][][];
          const out = results[0]!.arraySync() as number[][] | number[][][];
          const rowOf = (x: number[][] | number[][][], bi: number): number[][] =>
            (sa.length === 2 ? x : (x as number[][][])[Math.min(bi, x.length - 1)]) as number[][];
          const bi = out.length - 1;
          const A = rowOf(av, bi);
          const B = sb.length === 2 ? (bv as number[][]) : rowOf(bv, bi);
          const C = rowOf(out, bi);
          const i = A.length - 1;
          const j = B[0]!.length - 1;
          let ref = 0;
          for (let q = 0; q < B.length; q++) ref += A[i]![q]! * B[q]![j]!;
          expect(C[i]![j]!).toBeCloseTo(ref, 3);
          tf.dispose([a, b, aa, bb, ...results]);
        }
      }
    });
  }

  it('keeps small products on the calling thread with the same bits', () => {
    setWasmGemmKind('fma');
    const a = tf.randomNormal([9, 13], 0, 1, 'float32', 3);
    const b = tf.randomNormal([13, 7], 0, 1, 'float32', 4);
    setWasmGemmThreads(1);
    const one = tf.matMul(a, b);
    setWasmGemmThreads(2);
    const before = wasmGemmSplitProducts();
    const two = tf.matMul(a, b);
    expect(wasmGemmSplitProducts()).toBe(before);
    expect(bits(two)).toEqual(bits(one));
    tf.dispose([a, b, one, two]);
  });
});
