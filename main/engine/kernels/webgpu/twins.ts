import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { type BackendInfo, initBackend } from '#main/engine/backend/index';
import { mulberry32 } from '#shared/random';

/**
 * Test helpers for a webgpu kernel against its wasm twin (SwiftShader in CI): run the same
 * function on both backends and compare whole tensors by relative error.
 */

export type TwinBackend = 'wasm' | 'webgpu';

export async function onBackend(backend: TwinBackend): Promise<BackendInfo> {
  return initBackend({ prefer: backend, strict: true });
}

/** Deterministic values in [-scale, scale]. */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

/** A tensor of `shape` with {@link values}. */
export function seededTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(
    values(
      shape.reduce((a, b) => a * b, 1),
      seed,
      scale,
    ),
    shape,
  );
}

/** max |a - b| / max |b|: the relative error of a whole tensor. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

export interface TwinResults {
  wasm: Float32Array[];
  webgpu: Float32Array[];
}

/** Runs `fn` on each backend (wasm first) and returns both results as plain arrays. */
export async function twins(fn: () => tf.Tensor[]): Promise<TwinResults> {
  const out = {} as TwinResults;
  for (const b of ['wasm', 'webgpu'] as const) {
    await onBackend(b);
    const ts = fn();
    out[b] = await Promise.all(ts.map(async (t) => Float32Array.from(await t.data())));
    tf.dispose(ts);
  }
  return out;
}

/** Expects every output within `tol` relative of its wasm twin; returns the worst error. */
export function expectTwins(r: TwinResults, tol: number, what: string): number {
  let worst = 0;
  r.wasm.forEach((w, i) => {
    const e = relErr(r.webgpu[i]!, w);
    worst = Math.max(worst, e);
    expect(e, `${what} output ${i}`).toBeLessThanOrEqual(tol);
  });
  return worst;
}

/** fp32 kernels against their twins. */
export const KERNEL_TOL = 1e-5;

/** The f16 products against fp32, values in [-1, 1], K <= 64. */
export const F16_MATMUL_TOL = 2e-3;

/** x rounded to the nearest f16 (ties to even), +-Inf beyond its range, as half.ts rounds. */
export function roundToHalf(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  if (a >= 65520) return x > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (a === 0) return x;
  const step = 2 ** (Math.max(Math.floor(Math.log2(a)), -14) - 10); // subnormals: 2^-24
  const r = a / step;
  let f = Math.floor(r);
  const d = r - f;
  if (d > 0.5 || (d === 0.5 && f % 2 === 1)) f += 1;
  return Math.sign(x) * f * step;
}

/** Counts the programs the webgpu backend dispatches while `fn` runs. */
export function countPrograms<T>(fn: () => T): { result: T; programs: number } {
  const b = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const stock = b.runWebGPUProgram;
  let programs = 0;
  b.runWebGPUProgram = function (this: unknown, ...a: unknown[]) {
    programs++;
    return stock.apply(this, a);
  };
  try {
    return { result: fn(), programs };
  } finally {
    b.runWebGPUProgram = stock;
  }
}
