import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type AdamWItem, fusedAdamWMany } from '#main/engine/kernels/adamw-many';
import { sumSquares } from '#main/engine/kernels/sum-squares';
import { countPrograms, expectTwins, KERNEL_TOL, onBackend, twins, values } from './twins';

const sizes = [1, 7, 300, 1000, 33, 5, 64];
const scalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-3, gradScale: 0.25 };

/** Weights with two decay rates; moments for those `withMoments` selects. */
function items(withMoments: (i: number) => boolean): AdamWItem[] {
  return sizes.map((n, i) => ({
    p: tf.tensor1d(values(n, 10 + i)).reshape(n % 5 === 0 ? [5, n / 5] : [n]),
    g: tf.tensor1d(values(n, 30 + i, 5)),
    m: withMoments(i) ? tf.tensor1d(values(n, 50 + i, 0.1)) : undefined,
    v: withMoments(i) ? tf.tensor1d(values(n, 70 + i, 0.01).map(Math.abs)) : undefined,
    decayRate: i % 3 === 0 ? 0 : 1e-4,
  }));
}

describe('AdamW over a whole parameter set on webgpu', () => {
  for (const [what, has] of [
    ['first update (no moments)', () => false],
    ['with moments', () => true],
    ['some weights without moments', (i: number) => i % 2 === 0],
  ] as const) {
    it(`equals the per-weight wasm update, chunks of 100 elements splitting weights: ${what}`, async () => {
      let programs = 0;
      const r = await twins(() => {
        const set = items(has);
        const run = countPrograms(() => fusedAdamWMany(set, scalars, 100));
        if (tf.getBackend() === 'webgpu') programs = run.programs;
        const out = run.result.flat();
        tf.dispose(set.flatMap((it) => [it.p, it.g, ...(it.m ? [it.m, it.v!] : [])]));
        return out;
      });
      console.log(`AdamW set, ${what}: worst rel ${expectTwins(r, KERNEL_TOL, what).toExponential(1)}`);
      // One program per chunk: decay 0 holds 1+1000+64 elements (11 chunks), decay 1e-4 holds 345 (4).
      expect(programs).toBe(15);
    });
  }

  it('sum of squares in flat chunks (tensors split across chunks) equals wasm', async () => {
    const res: number[] = [];
    for (const b of ['wasm', 'webgpu'] as const) {
      await onBackend(b);
      const ts = sizes.map((n, i) => tf.tensor1d(values(n, 90 + i)));
      res.push(await sumSquares(ts, 97));
      res.push(await sumSquares(ts));
      tf.dispose(ts);
    }
    expect(Math.abs(res[2]! - res[0]!) / res[0]!).toBeLessThanOrEqual(KERNEL_TOL);
    expect(Math.abs(res[3]! - res[0]!) / res[0]!).toBeLessThanOrEqual(KERNEL_TOL);
  });
});
