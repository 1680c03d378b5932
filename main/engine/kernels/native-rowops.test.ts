import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { adamwArrays, roundedScalars } from './adamw-fused';
import { type AdamWItem, FUSED_ADAMW_MANY, fusedAdamWMany } from './adamw-many';
import { cpuGemm, setCpuGemmKind } from './cpu-gemm';
import { GELU, GELU_GRAD } from './gelu';
import { type AdamWNumbers, type ConvNumbers, loadNativeGemm, type NativeGemmAddon } from './native-gemm';
import { expectNativeError, randomFloats } from './test-native';
import { wasmOps } from './wasm-ops';
import { worstExcess } from './wasm-ops/f64-reference';
import type { WasmBackendLike } from './wasm-views';

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`native-rowops.test: skipped, ${reason}`);
const suite = addon || process.env['CI'] ? describe : describe.skip;

const scalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-3, gradScale: 0.25 };
const [b1, c1, b2, c2, eps, , step, scale] = roundedScalars({ ...scalars, decayRate: 0 });
const numbers: AdamWNumbers = [b1, c1, b2, c2, eps, step, scale];

/** Weights of ragged sizes (one empty), some without moments, laid out in one heap after 3 floats. */
function layout(sizes: number[]) {
  const total = sizes.reduce((a, n) => a + n, 0);
  const heap = new Float32Array(3 + 7 * total + 5);
  const table = new Float64Array(9 * sizes.length);
  let at = 3;
  sizes.forEach((n, i) => {
    const moments = i % 3 !== 1;
    const row: number[] = [];
    for (let k = 0; k < 7; k++) {
      row.push(!moments && (k === 2 || k === 3) ? -1 : at);
      if (k === 0) heap.set(randomFloats(n, 10 + i), at);
      if (k === 1) heap.set(randomFloats(n, 30 + i, 5), at);
      if (k === 2 && moments) heap.set(randomFloats(n, 50 + i, 0.1), at);
      if (k === 3 && moments) heap.set(randomFloats(n, 70 + i, 0.01).map(Math.abs), at);
      at += n;
    }
    table.set([...row, n, Math.fround(i % 2 === 0 ? 0 : 1e-4)], 9 * i);
  });
  return { heap, table };
}

/** The same update by adamwArrays (adamw-fused.ts), item by item. */
function reference(heap: Float32Array, table: Float64Array): Float32Array {
  const out = heap.slice();
  for (let r = 0; r < table.length; r += 9) {
    const n = table[r + 7]!;
    const view = (k: number) =>
      table[r + k]! < 0 ? undefined : out.subarray(table[r + k]!, table[r + k]! + n);
    adamwArrays(
      view(0)!,
      view(1)!,
      view(2),
      view(3),
      { ...scalars, decayRate: table[r + 8]! },
      view(4)!,
      view(5)!,
      view(6)!,
    );
  }
  return out;
}

suite('native AdamW over a weight set (native/src/rowops.c)', () => {
  const g = addon as NativeGemmAddon;
  afterAll(() => g?.configure({ threads: 1, minParallelElems: 1 << 16 }));

  it('gives the bits of adamwArrays on 1, 2 and 3 threads, split anywhere', () => {
    if (!addon) throw new Error(reason);
    const { heap, table } = layout([1, 7, 0, 300, 35, 64, 1001, 13]);
    const want = reference(heap, table);
    for (const threads of [1, 2, 3]) {
      for (const minParallelElems of [0, 1 << 16]) {
        g.configure({ threads, minParallelElems });
        const got = heap.slice();
        g.adamw(got, table, ...numbers);
        expect(got, `${threads} threads, split from ${minParallelElems}`).toEqual(want);
      }
    }
    // the update moved every weight and touched nothing past the outputs
    expect(want.subarray(heap.length - 5)).toEqual(new Float32Array(5));
    expect(want.subarray(table[4]!, table[4]! + 1)).not.toEqual(heap.subarray(table[0]!, table[0]! + 1));
  });

  it('throws NativeGemmError for a bad table or offsets, and still works after', () => {
    if (!addon) throw new Error(reason);
    const { heap, table } = layout([4]);
    const bad = expectNativeError;
    bad(() => g.adamw(heap, new Float64Array(8), ...numbers), 'BAD_ARGUMENT', /9 numbers per weight/);
    bad(() => g.adamw(heap, new Float32Array(9) as never, ...numbers), 'BAD_ARGUMENT', /Float64Array/);
    bad(() => (g.adamw as (...a: unknown[]) => void)(heap, table), 'BAD_ARGUMENT', /takes 9 arguments/);
    const moved = (k: number, x: number) => {
      const t = table.slice();
      t[k] = x;
      return t;
    };
    bad(
      () => g.adamw(heap, moved(6, heap.length - 2), ...numbers),
      'OUT_OF_BOUNDS',
      /ov \[\d+, \d+\) lies outside/,
    );
    bad(() => g.adamw(heap, moved(0, -3), ...numbers), 'BAD_ARGUMENT', /p must be a whole number/);
    bad(() => g.adamw(heap, moved(7, 1.5), ...numbers), 'BAD_ARGUMENT', /n must be a whole number/);
    bad(() => g.configure({ minParallelElems: -1 }), 'BAD_ARGUMENT', /minParallelElems must be/);
    const want = reference(heap, table);
    g.adamw(heap, table, ...numbers);
    expect(heap).toEqual(want);
  });
});

suite('BiomedAdamWMany on wasm through the native addon', () => {
  afterAll(() => {
    setCpuGemmKind(undefined);
    addon?.configure({ threads: 1, minParallelElems: 1 << 16 });
  });

  it('is one kernel call with the bits of the wasm single-pass kernel, split or not', async () => {
    if (!addon) throw new Error(reason);
    await initBackend({ prefer: 'wasm', strict: true });
    const sizes = [1, 7, 300, 35, 64];
    const set: AdamWItem[] = sizes.map((n, i) => ({
      p: tf.randomNormal([n], 0, 1, 'float32', 10 + i),
      g: tf.randomNormal([n], 0, 5, 'float32', 30 + i),
      m: i % 2 ? tf.randomNormal([n], 0, 0.1, 'float32', 50 + i) : undefined,
      v: i % 2 ? tf.abs(tf.randomNormal([n], 0, 0.01, 'float32', 70 + i)) : undefined,
      decayRate: i % 3 === 0 ? 0 : 1e-4,
    }));
    const run = async (kind: 'native' | 'wasm') => {
      setCpuGemmKind(kind);
      let outs: tf.Tensor[] = [];
      const profile = await tf.profile(() => {
        outs = fusedAdamWMany(set, scalars).flat();
      });
      expect(profile.kernels.map((k) => k.name)).toEqual([FUSED_ADAMW_MANY]);
      const values = outs.map((t) => t.dataSync().slice());
      tf.dispose(outs);
      return values;
    };
    const wasm = await run('wasm');
    addon.configure({ threads: 2, minParallelElems: 0 });
    expect(await run('native')).toEqual(wasm);
    addon.configure({ threads: 1, minParallelElems: 1 << 16 });
    expect(await run('native')).toEqual(wasm);
    tf.dispose(set.flatMap((it) => [it.p, it.g, ...(it.m ? [it.m, it.v!] : [])]));
  });
});

suite('GELU and its gradient on wasm through the native addon (native/src/gelu.c)', () => {
  afterAll(() => {
    setCpuGemmKind(undefined);
    addon?.configure({ threads: 1, minParallelElems: 1 << 16 });
  });

  it("gives the wasm single pass's bits (its FMA build) on 1, 2 and 3 threads, split anywhere", async () => {
    if (!addon) throw new Error(reason);
    await initBackend({ prefer: 'wasm', strict: true });
    if (!addon.info().supported.includes('avx2')) {
      // no AVX2 + FMA: the native GELU is not offered and the wasm kernel runs (wasm-gelu.test.ts)
      setCpuGemmKind('native');
      expect(cpuGemm(tf.backend() as unknown as WasmBackendLike)?.rowOps?.gelu).toBeUndefined();
      return;
    }
    // 8 x 131 = 1048 floats (not a multiple of 8: a tail wherever a split falls), x from -12 to 12
    const n = 8 * 131;
    const xs = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    xs[5] = 0;
    xs[6] = -0;
    xs[9] = Number.NaN;
    xs[10] = 100;
    xs[11] = -100;
    const x = tf.tensor2d(xs, [8, 131]);
    const dy = tf.randomNormal([8, 131], 0, 1, 'float32', 3);
    const run = async (kind: 'native' | 'wasm') => {
      setCpuGemmKind(kind);
      let outs: tf.Tensor[] = [];
      const profile = await tf.profile(() => {
        outs = [GELU, GELU_GRAD].map(
          (k) => tf.engine().runKernel(k, k === GELU ? { x } : { dy, x }) as tf.Tensor,
        );
      });
      expect(profile.kernels.map((k) => k.name)).toEqual([GELU, GELU_GRAD]);
      const values = outs.map((t) => t.dataSync().slice());
      tf.dispose(outs);
      return values;
    };
    const [y, dx] = await run('wasm');
    for (const threads of [1, 2, 3]) {
      addon.configure({ threads, minParallelElems: 0 });
      const [ny, ndx] = await run('native');
      if (wasmOps(tf.backend())!.kind === 'fma') {
        expect(ny, `${threads} threads`).toEqual(y);
        expect(ndx, `${threads} threads`).toEqual(dx);
      } else {
        // ops.c's plain SIMD build rounds the polynomials' products apart: float32 rounding only
        for (const [got, want] of [
          [ny!, y!],
          [ndx!, dx!],
        ] as const) {
          const w = worstExcess(got, Array.from(want), 2e-6, 1e-7);
          expect(w.excess, JSON.stringify(w)).toBeLessThanOrEqual(1);
        }
      }
    }
    tf.dispose([x, dy]);
  });

  it('throws NativeGemmError for outputs past the heap', () => {
    if (!addon) throw new Error(reason);
    const heap = new Float32Array(16);
    expectNativeError(
      () => addon.gelu(heap, 0, 10, 8),
      'OUT_OF_BOUNDS',
      /y \[10, 18\) lies outside the heap of 16 floats/,
    );
  });
});

suite('im2col and col2im split over the native threads', () => {
  afterAll(() => addon?.configure({ threads: 1, minParallelElems: 1 << 16 }));

  // batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft
  const geometries: ConvNumbers[] = [
    [3, 7, 6, 5, 7, 6, 3, 3, 1, 1, 1, 1],
    [2, 9, 9, 3, 4, 4, 3, 3, 2, 2, 0, 0],
    [5, 8, 8, 4, 4, 4, 7, 7, 2, 2, 3, 3],
    [1, 5, 5, 2, 5, 5, 1, 1, 1, 1, 0, 0],
  ];

  it('gives the same bits on 1, 2 and 3 threads as unsplit, and col2im sums what im2col read', () => {
    if (!addon) throw new Error(reason);
    for (const g of geometries) {
      const [batch, inH, inW, inC, outH, outW, kH, kW] = g;
      const image = batch * inH * inW * inC;
      const cols = batch * outH * outW * kH * kW * inC;
      const heap = new Float32Array(2 + image + cols + image + 3);
      heap.set(randomFloats(image, 5), 2);
      heap.set(randomFloats(cols, 6), 2 + image);
      const x = 2;
      const c = 2 + image;
      const dx = 2 + image + cols;
      addon.configure({ threads: 1, minParallelElems: 1 << 30 });
      const ref = heap.slice();
      const want = ref.slice();
      addon.im2col(want, x, c, ...g);
      const wantCols = want.slice(c, c + cols);
      addon.col2im(want, c, dx, ...g);
      for (const threads of [1, 2, 3]) {
        addon.configure({ threads, minParallelElems: 0 });
        const got = ref.slice();
        addon.im2col(got, x, c, ...g);
        expect(got.subarray(c, c + cols), `im2col ${g} on ${threads}`).toEqual(wantCols);
        addon.col2im(got, c, dx, ...g);
        expect(got, `col2im ${g} on ${threads}`).toEqual(want);
      }
      // col2im(ones) counts how many patches read each input: every interior pixel of a 1x1 conv once
      if (kH === 1) {
        const ones = ref.slice();
        ones.fill(1, c, c + cols);
        addon.col2im(ones, c, dx, ...g);
        expect(ones.subarray(dx, dx + image)).toEqual(new Float32Array(image).fill(1));
      }
    }
  });
});
