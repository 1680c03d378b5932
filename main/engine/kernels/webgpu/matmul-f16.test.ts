/**
 * The f16 matrix products (BIOMED_WEBGPU_PRECISION=f16) on SwiftShader, which has no shader-f16,
 * so this is the packed path (pack2x16float / unpack2x16float): operands rounded to f16, products
 * accumulated in f32. Against the wasm backend's fp32 product of the same values, within 2e-3
 * relative (max |diff| / max |ref|) for values in [-1, 1] and K up to 64; and against wasm's fp32
 * product of the operands rounded to f16 on the host, within 1e-5 (so the rounding is to nearest
 * and the accumulation is f32). All four transpose combinations, odd shapes, batches, broadcast.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { linearFused } from '#main/engine/kernels/linear';
import { toHalves } from './half';
import type { WebGpuLike } from './program';
import { F16_MATMUL_TOL, KERNEL_TOL, onBackend, relErr, roundToHalf, values } from './twins';

const tensor = (shape: number[], seed: number, round = false) => {
  const v = values(
    shape.reduce((a, b) => a * b, 1),
    seed,
  );
  return tf.tensor(round ? v.map(roundToHalf) : v, shape);
};

const worst: Record<string, number> = {};
const note = (what: string, e: number, tol: number) => {
  worst[what] = Math.max(worst[what] ?? 0, e);
  expect(e, what).toBeLessThanOrEqual(tol);
};

beforeAll(async () => {
  await onBackend('webgpu');
});
afterAll(() => {
  delete process.env['BIOMED_WEBGPU_PRECISION'];
  console.log(`webgpu f16 matmul, max rel error: ${JSON.stringify(worst)}`);
});

/** fn on wasm with fp32 (and with f16-rounded operands) and on webgpu under f16. */
async function f16VersusWasm(fn: (round: boolean) => tf.Tensor): Promise<{ fp32: number; rounded: number }> {
  await onBackend('wasm');
  const ref = await Promise.all(
    [false, true].map(async (round) => {
      const t = fn(round);
      const d = Float32Array.from(await t.data());
      t.dispose();
      return d;
    }),
  );
  await onBackend('webgpu');
  process.env['BIOMED_WEBGPU_PRECISION'] = 'f16';
  try {
    const t = fn(false);
    const got = Float32Array.from(await t.data());
    t.dispose();
    return { fp32: relErr(got, ref[0]!), rounded: relErr(got, ref[1]!) };
  } finally {
    delete process.env['BIOMED_WEBGPU_PRECISION'];
  }
}

// [batchA, batchB, M, K, N]: K 1, 3, 17, 64 and 8, 24 (8 halves per vector load); M, N off tiles
const SHAPES: [number, number, number, number, number][] = [
  [1, 1, 5, 1, 7],
  [1, 1, 33, 3, 19],
  [2, 2, 17, 17, 65],
  [3, 1, 9, 64, 12],
  [1, 2, 40, 8, 8],
  [1, 1, 16, 24, 40],
];

describe('webgpu f16 (packed) matrix products against fp32 wasm', () => {
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`transposeA ${ta}, transposeB ${tb}: within ${F16_MATMUL_TOL} of fp32, 1e-5 of f16-rounded operands`, async () => {
      for (const [ba, bb, m, k, n] of SHAPES) {
        const sa = ta ? [k, m] : [m, k];
        const sb = tb ? [n, k] : [k, n];
        const e = await f16VersusWasm((round) =>
          tf.tidy(() =>
            tf.matMul(tensor(ba > 1 ? [ba, ...sa] : sa, 1, round), tensor([bb, ...sb], 2, round), ta, tb),
          ),
        );
        const combo = `${ta ? 't' : 'n'}${tb ? 't' : 'n'}`;
        note(`f16 ${combo} vs fp32`, e.fp32, F16_MATMUL_TOL);
        note(`f16 ${combo} vs rounded`, e.rounded, KERNEL_TOL);
        // the rounding is real: f16 differs from fp32 by more than fp32 noise on K > 1
        if (k > 1) expect(e.fp32, `f16 ${combo} [${m},${k},${n}] differs from fp32`).toBeGreaterThan(1e-5);
      }
    });
  }

  it('_FusedMatMul (bias + ReLU) and the fused linear layer with its gradients', async () => {
    const fused = await f16VersusWasm((round) =>
      tf.tidy(() =>
        tf.fused.matMul({
          a: tensor([13, 24], 3, round),
          b: tensor([24, 10], 4, round),
          bias: tensor([10], 5),
          activation: 'relu',
        }),
      ),
    );
    note('f16 _FusedMatMul vs fp32', fused.fp32, F16_MATMUL_TOL);
    note('f16 _FusedMatMul vs rounded', fused.rounded, KERNEL_TOL);
    // the linear layer and its gradients (dx = dy W, dW = dy^T x: products too); wasm composes matMul + add
    const grads = (round: boolean) => {
      const [x, w, b, dy] = [
        tensor([7, 12], 6, round),
        tensor([9, 12], 7, round),
        tensor([9], 8),
        tensor([7, 9], 9),
      ];
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(
          tf.mul(
            linearFused(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D) ??
              tf.add(tf.matMul(xx, ww, false, true), bb),
            dy,
          ),
        );
      const { value, grads: g } = tf.valueAndGrads(f)([x, w, b]);
      return tf.concat([value.reshape([1]), ...g.map((t) => t.flatten())]);
    };
    const lin = await f16VersusWasm((round) => tf.tidy(() => grads(round)));
    note('f16 linear value + grads vs fp32', lin.fp32, F16_MATMUL_TOL);
  });

  it('packs to f16 with ties to even, +-Inf beyond 65,504 and NaN kept; 3 dispatches per product', async () => {
    await onBackend('webgpu');
    const raw = [1, -2.5, 1 / 3, 65504, 65519, 65520, -1e6, Number.NaN, 6e-8, 1 + 2 ** -11, 1 + 3 * 2 ** -11];
    const x = tf.tensor(raw);
    const info = toHalves(tf.backend() as unknown as WebGpuLike, x);
    const words = tf.engine().makeTensorFromTensorInfo(info);
    const w = Int32Array.from(await words.data());
    expect(w.length).toBe(Math.ceil(raw.length / 2));
    const halves = Array.from({ length: raw.length }, (_, i) => (w[i >> 1]! >>> ((i & 1) * 16)) & 0xffff);
    const decode = (h: number) => {
      const e = (h >> 10) & 0x1f;
      const f = h & 0x3ff;
      const s = h & 0x8000 ? -1 : 1;
      if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
      return s * (e === 0 ? f * 2 ** -24 : (1 + f / 1024) * 2 ** (e - 15));
    };
    const got = halves.map(decode);
    const want = raw.map((v) => roundToHalf(Math.fround(v)));
    // SwiftShader may flush f16 subnormals (6e-8) to zero: accept either for that one
    got.forEach((g, i) => {
      if (raw[i] === 6e-8) expect([0, want[i]]).toContain(g);
      else expect(g, `pack(${raw[i]})`).toBe(want[i]);
    });
    expect(w[w.length - 1]! >>> 16, 'the odd tail word is zero-padded').toBe(0);
    tf.dispose([x, words]);

    const [a, b] = [tensor([2, 9, 6], 10), tensor([2, 6, 5], 11)];
    process.env['BIOMED_WEBGPU_PRECISION'] = 'f16';
    resetWebgpuDispatches();
    const c = tf.matMul(a, b);
    await c.data();
    expect(webgpuDispatches().byProgram).toEqual({
      'biomed:half_pack': 2,
      'biomed:mm_hpacked_16x64_nn_11_linear_false': 1,
    });
    process.env['BIOMED_WEBGPU_PRECISION'] = 'f17';
    expect(() => tf.matMul(a, b)).toThrow(/BIOMED_WEBGPU_PRECISION='f17' is not one of f32, f16/);
    delete process.env['BIOMED_WEBGPU_PRECISION'];
    tf.dispose([a, b, c]);
  });
});
