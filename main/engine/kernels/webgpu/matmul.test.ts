/**
 * Our WebGPU matrix products (SwiftShader) against the wasm backend's on odd shapes: sizes that
 * are not multiples of any tile, K < 4 and K not a multiple of 4 (the scalar loads), multiples of
 * 4 (the vec4 loads), batches, a broadcast batch, all four transpose combinations, every tile,
 * and the bias / ReLU / GELU / residual epilogues. Tiny shapes: SwiftShader is slow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { type Activation, runMatMul, TILES, type Tile } from './matmul-program';
import type { WebGpuLike } from './program';
import { onBackend, relErr, seededTensor, KERNEL_TOL as TOL } from './twins';

const use = onBackend;
const values = seededTensor;

beforeAll(async () => {
  await use('webgpu');
});
afterAll(() => {
  delete process.env['BIOMED_WEBGPU_KERNELS'];
});

/** fn on wasm and on webgpu; returns the relative error of webgpu's result. */
async function versusWasm(fn: () => tf.Tensor): Promise<number> {
  const out: Float32Array[] = [];
  for (const b of ['wasm', 'webgpu'] as const) {
    await use(b);
    const t = fn();
    out.push(Float32Array.from(await t.data()));
    t.dispose();
  }
  return relErr(out[1]!, out[0]!);
}

const worst: Record<string, number> = {};
const note = (what: string, e: number) => {
  worst[what] = Math.max(worst[what] ?? 0, e);
  expect(e, what).toBeLessThanOrEqual(TOL);
};
afterAll(() => console.log(`webgpu matmul vs wasm, max rel error: ${JSON.stringify(worst)}`));

// [batchA, batchB, M, K, N]: K 1, 3, 4, 17, 36; M, N off every tile; broadcast both ways
const SHAPES: [number, number, number, number, number][] = [
  [1, 1, 5, 1, 7],
  [1, 1, 33, 3, 19],
  [2, 2, 17, 17, 65],
  [3, 1, 9, 36, 12],
  [1, 2, 40, 8, 4],
];

describe('webgpu BatchMatMul equals wasm', () => {
  for (const [ta, tb] of [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const) {
    it(`transposeA ${ta}, transposeB ${tb} on odd shapes, batches and broadcast`, async () => {
      for (const [ba, bb, m, k, n] of SHAPES) {
        const sa = ta ? [k, m] : [m, k];
        const sb = tb ? [n, k] : [k, n];
        const e = await versusWasm(() =>
          tf.tidy(() => tf.matMul(values(ba > 1 ? [ba, ...sa] : sa, 1), values([bb, ...sb], 2), ta, tb)),
        );
        note(`matmul ${ta ? 't' : 'n'}${tb ? 't' : 'n'}`, e);
      }
    });
  }

  it('every tile (forced) on an output that fits none of them', async () => {
    const a = () => values([2, 70, 20], 3);
    const b = () => values([2, 20, 67], 4);
    await use('wasm');
    const ref = await tf.tidy(() => tf.matMul(a(), b())).data();
    await use('webgpu');
    for (const [name, tile] of Object.entries(TILES) as [string, Tile][]) {
      const [ta, tb] = [a(), b()];
      const info = runMatMul(tf.backend() as unknown as WebGpuLike, {
        a: ta,
        b: tb,
        transposeA: false,
        transposeB: false,
        m: 70,
        n: 67,
        k: 20,
        batch: 2,
        batchA: 2,
        batchB: 2,
        tile,
        outShape: [2, 70, 67],
      });
      const t = tf.engine().makeTensorFromTensorInfo(info);
      note(`tile ${name}`, relErr(Float32Array.from(await t.data()), Float32Array.from(ref)));
      tf.dispose([ta, tb, t]);
    }
  });

  it('the bias, ReLU, GELU and residual epilogues', async () => {
    for (const act of ['linear', 'relu', 'gelu'] as Activation[]) {
      for (const [m, k, n] of [
        [7, 5, 9],
        [20, 12, 32],
      ] as const) {
        await use('wasm');
        const [x, w, bias, res] = [values([m, k], 5), values([n, k], 6), values([n], 7), values([m, n], 8)];
        const pre = tf.add(tf.matMul(x, w, false, true), bias);
        const y =
          act === 'relu'
            ? tf.relu(pre)
            : act === 'gelu'
              ? tf.mul(tf.mul(pre, 0.5), tf.add(1, tf.erf(tf.mul(pre, Math.SQRT1_2))))
              : pre;
        const ref = Float32Array.from(await tf.add(y, res).data());
        const refFused =
          act === 'gelu'
            ? undefined
            : Float32Array.from(
                await tf.fused
                  .matMul({ a: x, b: w, transposeB: true, bias, activation: act as 'linear' | 'relu' })
                  .data(),
              );
        const host = await Promise.all(
          [x, w, bias, res].map(async (t) => [await t.data(), t.shape] as const),
        );
        tf.dispose([x, w, bias, res, pre, y]);
        await use('webgpu');
        const [gx, gw, gb, gr] = host.map(([d, s]) => tf.tensor(d as Float32Array, s));
        const info = runMatMul(tf.backend() as unknown as WebGpuLike, {
          a: gx!,
          b: gw!,
          transposeA: false,
          transposeB: true,
          m,
          n,
          k,
          batch: 1,
          batchA: 1,
          batchB: 1,
          bias: gb!,
          activation: act,
          residual: gr!,
          outShape: [m, n],
        });
        const t = tf.engine().makeTensorFromTensorInfo(info);
        note(`epilogue bias+${act}+residual`, relErr(Float32Array.from(await t.data()), ref));
        if (refFused) {
          const f = tf.fused.matMul({
            a: gx!,
            b: gw!,
            transposeB: true,
            bias: gb!,
            activation: act as 'linear' | 'relu',
          });
          note(`_FusedMatMul bias+${act}`, relErr(Float32Array.from(await f.data()), refFused));
          f.dispose();
        }
        tf.dispose([gx!, gw!, gb!, gr!, t]);
      }
    }
  });

  it('runs one dispatch per product, and the stock kernels under BIOMED_WEBGPU_KERNELS=stock', async () => {
    await use('webgpu');
    const [a, b] = [values([2, 9, 6], 9), values([2, 6, 5], 10)];
    const count = async (mode: string) => {
      process.env['BIOMED_WEBGPU_KERNELS'] = mode;
      resetWebgpuDispatches();
      const c = tf.matMul(a, b);
      await c.data();
      c.dispose();
      return webgpuDispatches();
    };
    const own = await count('own');
    expect(own.total).toBe(1);
    expect(Object.keys(own.byProgram)[0]).toMatch(/^biomed:mm_/);
    const stock = await count('stock');
    expect(stock.total).toBeGreaterThanOrEqual(1);
    expect(Object.keys(stock.byProgram).some((k) => k.startsWith('biomed:'))).toBe(false);
    process.env['BIOMED_WEBGPU_KERNELS'] = 'bogus';
    expect(() => tf.matMul(a, b)).toThrow(/BIOMED_WEBGPU_KERNELS='bogus'/);
    delete process.env['BIOMED_WEBGPU_KERNELS'];
    tf.dispose([a, b]);
  });
});
