import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { cpuGemm, setCpuGemmKind } from './cpu-gemm';
import { LS_CE, LS_CE_GRAD } from './label-smoothed-ce';
import { loadNativeGemm } from './native-gemm';
import { wasmOps } from './wasm-ops';
import { worstExcess } from './wasm-ops/f64-reference';
import type { WasmBackendLike } from './wasm-views';

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`native-lsce.test: skipped, ${reason}`);
const suite = addon || process.env['CI'] ? describe : describe.skip;
const PAD = 1;

/** Logits [rows, v] from -8 to 8 with the awkward values a vocabulary row can hold. */
function logits(rows: number, v: number): tf.Tensor2D {
  const z = Float32Array.from({ length: rows * v }, (_, i) => Math.sin(i * 12.9898) * 8);
  z[1] = 100;
  z[2] = -100;
  z[3] = -0;
  if (rows * v > 9) z[v + 2] = 0;
  return tf.tensor2d(z, [rows, v]);
}

suite('the label-smoothed cross-entropy on wasm through the native addon (native/src/lsce.c)', () => {
  afterAll(() => {
    setCpuGemmKind(undefined);
    addon?.configure({ threads: 1, minParallelElems: 1 << 16 });
  });

  it("gives the wasm single pass's bits (its FMA build), forward and backward, on 1, 2 and 3 threads", async () => {
    if (!addon) throw new Error(reason);
    await initBackend({ prefer: 'wasm', strict: true });
    if (!addon.info().supported.includes('avx2')) {
      setCpuGemmKind('native');
      expect(cpuGemm(tf.backend() as unknown as WasmBackendLike)?.rowOps?.lsce).toBeUndefined();
      return;
    }
    setCpuGemmKind('native');
    const rowOps = cpuGemm(tf.backend() as unknown as WasmBackendLike)!.rowOps!;
    const spy = vi.spyOn(rowOps as Required<typeof rowOps>, 'lsce');
    // v: a tail of 5 past the 8-lane groups, exactly 8, and under one group of 4
    for (const [rows, v] of [
      [7, 37],
      [3, 8],
      [5, 3],
    ] as const) {
      const z = logits(rows, v);
      const targets = tf.tensor1d(
        Array.from({ length: rows }, (_, r) => (r === 1 ? PAD : (r * 5) % v)),
        'int32',
      );
      const mask = tf.tensor2d(
        Array.from({ length: rows * v }, (_, i) => (i % 7 === 3 && i % v !== 0 ? 0 : 1)),
        [rows, v],
      );
      const dy = tf.tensor1d(Array.from({ length: rows }, (_, r) => 0.5 + r / 3));
      for (const allowed of [undefined, mask]) {
        const run = (kind: 'native' | 'wasm') => {
          setCpuGemmKind(kind);
          const inputs = { logits: z, targets, ...(allowed ? { allowed } : {}) };
          const [loss, p] = tf.engine().runKernel(LS_CE, inputs, { eps: 0.1, pad: PAD }) as tf.Tensor[];
          const grad = { dy, p: p!, targets, ...(allowed ? { allowed } : {}) };
          const [dz] = tf.engine().runKernel(LS_CE_GRAD, grad, { eps: 0.1, pad: PAD }) as tf.Tensor[];
          const values = [loss!, p!, dz!].map((t) => t.dataSync().slice());
          tf.dispose([loss!, p!, dz!]);
          return values;
        };
        const want = run('wasm');
        // the pad row is 0, the others carry a loss
        expect(want[0]![1]).toBe(0);
        expect(want[0]![0]).toBeGreaterThan(0);
        for (const threads of [1, 2, 3]) {
          addon.configure({ threads, minParallelElems: 0 });
          const calls = spy.mock.calls.length;
          const got = run('native');
          expect(spy.mock.calls.length, 'the native rows ran, forward and backward').toBe(calls + 2);
          const what = `[${rows}, ${v}] ${allowed ? 'masked' : 'unmasked'} on ${threads} threads`;
          if (wasmOps(tf.backend())!.kind === 'fma') {
            expect(got, what).toEqual(want);
          } else {
            // ops.c's plain SIMD build rounds the exp polynomial's products apart
            for (const [k, g] of got.entries()) {
              const w = worstExcess(g, Array.from(want[k]!), 2e-6, 1e-7);
              expect(w.excess, `${what}: ${JSON.stringify(w)}`).toBeLessThanOrEqual(1);
            }
          }
        }
      }
      tf.dispose([z, targets, mask, dy]);
    }
    spy.mockRestore();
  });

  it('throws NativeGemmError for operands past the heap, overlaps and misaligned statistics', () => {
    if (!addon) throw new Error(reason);
    const heap = new Float32Array(64);
    const error = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error thrown');
    };
    // z [2, 8] at 0, targets at 16, p [2, 8] at 18, stats (2 rows x 4 doubles = 16 floats) at 34
    const past = error(() => addon.lsce(heap, 0, 16, -1, 18, 50, 2, 8, PAD));
    expect(past.name).toBe('NativeGemmError');
    expect(past.message).toMatch(/stats \[50, 66\) lies outside the heap of 64 floats/);
    expect(error(() => addon.lsce(heap, 0, 16, -1, 4, 34, 2, 8, PAD)).message).toMatch(/p overlaps z/);
    expect(error(() => addon.lsce(heap, 0, 16, -1, 18, 35, 2, 8, PAD)).message).toMatch(/8-byte aligned/);
    expect(error(() => addon.lsceGrad(heap, 0, 2, 18, -1, 10, 2, 8, PAD, 0.1)).message).toMatch(
      /dz overlaps p/,
    );
    expect(error(() => addon.lsceGrad(heap, 0, 2, 18, -1, 40, 2, 8, PAD, 2)).message).toMatch(/eps must be/);
    expect(() => addon.lsce(heap, 0, 16, -1, 18, 34, 2, 8, PAD)).not.toThrow();
  });
});
