import { expect } from 'vitest';

/** Tests' data for the native addon: n floats in [-1, 1) * scale from a small LCG (the same for a seed). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

/** Asserts that `f` throws a NativeGemmError with code BIOMED_NATIVE_GEMM_<code> and a message matching. */
export function expectNativeError(f: () => void, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(Error);
  expect((caught as Error).name).toBe('NativeGemmError');
  expect((caught as { code?: string }).code).toBe(`BIOMED_NATIVE_GEMM_${code}`);
  expect((caught as Error).message).toMatch(message);
}

/** Float32 bits, so that a test tells -0 from 0 and compares NaNs. */
export const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);
