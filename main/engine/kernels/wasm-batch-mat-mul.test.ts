import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { cpuGemm, cpuGemmKindFromEnv, nativeParallelMacsFromEnv, setCpuGemmKind } from './cpu-gemm';
import { loadNativeGemm } from './native-gemm';
import { wasmBatchMatMulConfig } from './wasm-batch-mat-mul';
import { setWasmGemmKind, type WasmGemmKind, wasmGemm, wasmGemmKindFromEnv } from './wasm-gemm';
import { replaceWasmKernel, restoreStockWasmMatMul } from './wasm-transpose-first';
import type { WasmBackendLike } from './wasm-views';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function swapLastTwo(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[perm.length - 2] = perm.length - 1;
  perm[perm.length - 1] = perm.length - 2;
  return tf.transpose(t, perm);
}

// [a, b] as [..., M, K] and [..., K, N] before the transposes: plain, batched, rank 4,
// b broadcast over a's batch, a broadcast over b's batch, attention-like.
const shapes: ReadonlyArray<readonly [number[], number[]]> = [
  [
    [37, 53],
    [53, 29],
  ],
  [
    [6, 16, 9],
    [6, 9, 21],
  ],
  [
    [2, 3, 9, 5],
    [2, 3, 5, 7],
  ],
  [
    [3, 17, 11],
    [11, 6],
  ],
  [
    [1, 17, 11],
    [4, 11, 6],
  ],
  [
    [8, 40, 32],
    [8, 32, 40],
  ],
];

const combos = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

describe('wasm BatchMatMul with batched XNNPACK', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('matches the stock kernel for every transpose combo and batch layout', () => {
    let seed = 100;
    for (const [aShape, bShape] of shapes) {
      for (const [ta, tb] of combos) {
        const a0 = tf.randomNormal(aShape, 0, 1, 'float32', seed++);
        const b0 = tf.randomNormal(bShape, 0, 1, 'float32', seed++);
        const a = ta ? swapLastTwo(a0) : tf.clone(a0);
        const b = tb ? swapLastTwo(b0) : tf.clone(b0);
        restoreStockWasmMatMul();
        const stock = tf.matMul(a, b, ta, tb);
        replaceWasmKernel(wasmBatchMatMulConfig);
        const ours = tf.matMul(a, b, ta, tb);
        expect(ours.shape).toEqual(stock.shape);
        // Different summation order than the scalar loop: allow float rounding only.
        expect(maxAbsDiff(ours, stock), `${aShape} x ${bShape} ta=${ta} tb=${tb}`).toBeLessThan(1e-5);
        tf.dispose([a0, b0, a, b, stock, ours]);
      }
    }
  });

  it('gives the same gradients as the stock kernel', () => {
    const q = tf.randomNormal([4, 10, 8], 0, 1, 'float32', 1);
    const k = tf.randomNormal([4, 12, 8], 0, 1, 'float32', 2);
    const w = tf.randomNormal([4, 10, 12], 0, 1, 'float32', 3);
    const f = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w)) as tf.Scalar;
    restoreStockWasmMatMul();
    const [gq0, gk0] = tf.grads(f)([q, k]) as [tf.Tensor, tf.Tensor];
    replaceWasmKernel(wasmBatchMatMulConfig);
    const [gq1, gk1] = tf.grads(f)([q, k]) as [tf.Tensor, tf.Tensor];
    expect(maxAbsDiff(gq0, gq1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(gk0, gk1)).toBeLessThan(1e-5);
    tf.dispose([q, k, w, gq0, gk0, gq1, gk1]);
  });

  it('is bit-identical where the stock kernel already used XNNPACK (GEMM kinds simd and xnnpack)', () => {
    setCpuGemmKind('wasm');
    const a = tf.randomNormal([50, 70], 0, 1, 'float32', 8);
    const b = tf.randomNormal([70, 30], 0, 1, 'float32', 9);
    restoreStockWasmMatMul();
    const stock = tf.matMul(a, b);
    replaceWasmKernel(wasmBatchMatMulConfig);
    for (const kind of ['simd', 'xnnpack'] as const) {
      setWasmGemmKind(kind);
      const ours = tf.matMul(a, b);
      expect(maxAbsDiff(ours, stock), kind).toBe(0);
      ours.dispose();
    }
    setWasmGemmKind(undefined);
    setCpuGemmKind(undefined);
    tf.dispose([a, b, stock]);
  });

  it("runs the engine's GEMM (FMA on this Node) and matches a float64 product on ragged shapes", () => {
    const backend = tf.backend() as unknown as WasmBackendLike;
    setWasmGemmKind(undefined);
    setCpuGemmKind('wasm');
    expect(wasmGemm(backend)?.kind).toBe('fma');
    expect(cpuGemm(backend)?.kind).toBe('fma');
    replaceWasmKernel(wasmBatchMatMulConfig);
    // M not a multiple of 4, N not of 8, N < 4, K = 1, a batch with b shared and one without.
    const cases: [number[], number[]][] = [
      [
        [7, 5],
        [5, 3],
      ],
      [
        [13, 1],
        [1, 17],
      ],
      [
        [9, 33],
        [33, 12],
      ],
      [
        [3, 6, 10],
        [10, 9],
      ],
      [
        [2, 5, 4],
        [2, 4, 11],
      ],
    ];
    let seed = 40;
    for (const [aShape, bShape] of cases) {
      const a = tf.randomNormal(aShape, 0, 1, 'float32', seed++);
      const b = tf.randomNormal(bShape, 0, 1, 'float32', seed++);
      const [m, k] = aShape.slice(-2) as [number, number];
      const n = bShape[bShape.length - 1]!;
      const batch = aShape.length === 3 ? aShape[0]! : 1;
      const av = a.dataSync();
      const bv = b.dataSync();
      const ref = new Float64Array(batch * m * n);
      for (let s = 0; s < batch; s++)
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let acc = 0;
            const bs = bShape.length === 3 ? s * k * n : 0;
            for (let q = 0; q < k; q++) acc += av[s * m * k + i * k + q]! * bv[bs + q * n + j]!;
            ref[s * m * n + i * n + j] = acc;
          }
      for (const kind of ['fma', 'simd', 'xnnpack'] as WasmGemmKind[]) {
        setWasmGemmKind(kind);
        const out = tf.matMul(a, b);
        const got = out.dataSync();
        let diff = 0;
        for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(got[i]! - ref[i]!));
        expect(diff, `${aShape} x ${bShape} ${kind}`).toBeLessThan(1e-5);
        out.dispose();
      }
      tf.dispose([a, b]);
    }
    setWasmGemmKind(undefined);
    setCpuGemmKind(undefined);
  });

  it('runs the native GEMM by default where built, bit-equal to the wasm FMA GEMM for every transpose flag', () => {
    const backend = tf.backend() as unknown as WasmBackendLike;
    const { addon, reason } = loadNativeGemm();
    // In CI the addon is built by `npm ci`; elsewhere a missing one is only reported.
    if (!addon && !process.env['CI']) return console.warn(`skipped: ${reason}`);
    setCpuGemmKind(undefined);
    expect(cpuGemm(backend)?.kind).toMatch(/^native-(avx512|avx2|scalar)$/);
    const fma = cpuGemm(backend)?.kind !== 'native-scalar';
    replaceWasmKernel(wasmBatchMatMulConfig);
    let seed = 300;
    // the shapes above plus larger ones through the native thread pool
    const more: [number[], number[]][] = [
      [
        [2, 130, 300],
        [300, 70],
      ],
      [
        [4, 64, 100],
        [4, 100, 90],
      ],
      [
        [70, 600],
        [600, 50],
      ],
    ];
    for (const [aShape, bShape] of [...shapes, ...more]) {
      for (const [ta, tb] of combos) {
        const a0 = tf.randomNormal(aShape, 0, 1, 'float32', seed++);
        const b0 = tf.randomNormal(bShape, 0, 1, 'float32', seed++);
        const a = ta ? swapLastTwo(a0) : tf.clone(a0);
        const b = tb ? swapLastTwo(b0) : tf.clone(b0);
        setCpuGemmKind('wasm');
        const viaWasm = tf.matMul(a, b, ta, tb);
        setCpuGemmKind('native');
        const viaNative = tf.matMul(a, b, ta, tb);
        expect(viaNative.shape).toEqual(viaWasm.shape);
        // the same FMA chain per element (k in order from 0) in both, whatever the tiles and threads
        // (the plain C kernel of CPUs without FMA rounds twice per step: float rounding only)
        const k = aShape[aShape.length - 1]!;
        const label = `${aShape} x ${bShape} ta=${ta} tb=${tb}`;
        // (with the wasm GEMM, small equal-batch slices take the stock kernel's scalar loop instead)
        const batchA = aShape.slice(0, -2).reduce((p, x) => p * x, 1);
        const batchB = bShape.slice(0, -2).reduce((p, x) => p * x, 1);
        const slice = aShape.at(-1)! * aShape.at(-2)! * bShape.at(-1)!;
        const stock = batchA === batchB && batchA > 1 && slice < 8192;
        if (fma && !stock) expect(maxAbsDiff(viaNative, viaWasm), label).toBe(0);
        else expect(maxAbsDiff(viaNative, viaWasm), label).toBeLessThan(2e-6 * k);
        tf.dispose([a0, b0, a, b, viaWasm, viaNative]);
      }
    }
    setCpuGemmKind(undefined);
  });

  it('reads the CPU GEMM choice from BIOMED_CPU_GEMM and rejects others', () => {
    expect(cpuGemmKindFromEnv({})).toBeUndefined();
    expect(cpuGemmKindFromEnv({ BIOMED_CPU_GEMM: 'wasm' })).toBe('wasm');
    expect(cpuGemmKindFromEnv({ BIOMED_CPU_GEMM: 'native' })).toBe('native');
    expect(() => cpuGemmKindFromEnv({ BIOMED_CPU_GEMM: 'blas' })).toThrow(
      /BIOMED_CPU_GEMM='blas' is not one of/,
    );
    expect(nativeParallelMacsFromEnv({})).toBeUndefined();
    expect(nativeParallelMacsFromEnv({ BIOMED_NATIVE_PARALLEL_MACS: '1000' })).toBe(1000);
    expect(() => nativeParallelMacsFromEnv({ BIOMED_NATIVE_PARALLEL_MACS: '-1' })).toThrow(
      /BIOMED_NATIVE_PARALLEL_MACS='-1'/,
    );
  });

  it('reads the GEMM kind from BIOMED_WASM_GEMM and rejects others', () => {
    expect(wasmGemmKindFromEnv({})).toBe('fma');
    expect(wasmGemmKindFromEnv({ BIOMED_WASM_GEMM: 'simd' })).toBe('simd');
    expect(wasmGemmKindFromEnv({ BIOMED_WASM_GEMM: 'xnnpack' })).toBe('xnnpack');
    expect(() => wasmGemmKindFromEnv({ BIOMED_WASM_GEMM: 'avx' })).toThrow(
      /BIOMED_WASM_GEMM='avx' is not one of/,
    );
  });

  it('handles empty products and frees its temporaries', () => {
    replaceWasmKernel(wasmBatchMatMulConfig);
    const a = tf.zeros([2, 3, 0]);
    const b = tf.zeros([2, 0, 4]);
    const out = tf.matMul(a, b);
    expect(out.shape).toEqual([2, 3, 4]);
    expect(Array.from(out.dataSync()).every((v) => v === 0)).toBe(true);
    const x = tf.randomNormal([3, 8, 8]);
    const before = tf.memory();
    tf.matMul(x, x, true, true).dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([a, b, out, x]);
  });
});
