import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { fusedAdamW } from './adamw-fused';
import { type AdamWItem, FUSED_ADAMW_MANY, fusedAdamWMany } from './adamw-many';

const sizes = [1, 7, 300, 35, 64];
const scalars = { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-3, gradScale: 0.25 };

/** Weights with two decay rates (one 2-D); moments where `withMoments` says so. */
function items(withMoments: (i: number) => boolean): AdamWItem[] {
  return sizes.map((n, i) => {
    const shape = n % 5 === 0 ? [5, n / 5] : [n];
    const moments = withMoments(i);
    return {
      p: tf.randomNormal(shape, 0, 1, 'float32', 10 + i),
      g: tf.randomNormal(shape, 0, 5, 'float32', 30 + i),
      m: moments ? tf.randomNormal(shape, 0, 0.1, 'float32', 50 + i) : undefined,
      v: moments ? tf.abs(tf.randomNormal(shape, 0, 0.01, 'float32', 70 + i)) : undefined,
      decayRate: i % 3 === 0 ? 0 : 1e-4,
    };
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`AdamW over a whole parameter set on ${backend}`, () => {
    for (const [what, has] of [
      ['first update (no moments)', () => false],
      ['with moments', () => true],
      ['some weights without moments', (i: number) => i % 2 === 0],
    ] as const) {
      it(`is one kernel call with the bits of the per-weight update: ${what}`, async () => {
        await initBackend({ prefer: backend, strict: true });
        expect(tf.getKernel(FUSED_ADAMW_MANY, backend)).toBeDefined();
        const set = items(has);
        let many: tf.Tensor[] = [];
        const profile = await tf.profile(() => {
          many = fusedAdamWMany(set, scalars).flat();
        });
        expect(profile.kernels.map((k) => k.name)).toEqual([FUSED_ADAMW_MANY]);
        const one = set.flatMap((it) =>
          fusedAdamW(it.p, it.g, it.m, it.v, { ...scalars, decayRate: it.decayRate }),
        );
        expect(many.map((t) => t.shape)).toEqual(one.map((t) => t.shape));
        for (const [j, t] of many.entries()) expect(t.dataSync(), `output ${j}`).toEqual(one[j]!.dataSync());
        // the update moved every weight
        for (const [i, it] of set.entries()) expect(many[3 * i]!.dataSync()).not.toEqual(it.p.dataSync());
        tf.dispose([...many, ...one, ...set.flatMap((it) => [it.p, it.g, ...(it.m ? [it.m, it.v!] : [])])]);
      });
    }
  });
}
