import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD, attentionProbs, opsProbs } from './attention-probs';
import { setCpuGemmKind } from './cpu-gemm';
import { loadNativeGemm } from './native-gemm';
import { setWasmGemmThreads } from './wasm-gemm';

const [B, H, T, S, HD] = [2, 3, 5, 7, 4];

const cases: Array<[string, number[], boolean]> = [
  ['key-padding mask [B, 1, 1, S] with dropout', [B, 1, 1, S], true],
  ['position bias [H, T, S] without dropout', [H, T, S], false],
  ['full bias [B, H, T, S] with dropout', [B, H, T, S], true],
  ['bias along rows [B, 1, T, 1] with dropout', [B, 1, T, 1], true],
];

function inputs(biasShape: number[], withDropout: boolean) {
  const q = tf.randomNormal([B, H, T, HD], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k = tf.randomNormal([B, H, S, HD], 0, 1, 'float32', 2) as tf.Tensor4D;
  let bias = tf.randomNormal(biasShape, 0, 1, 'float32', 3);
  // a masked key as keyPaddingMask writes it (-1e9) in the key-padding case
  if (biasShape[3] === S && biasShape[2] === 1) bias = tf.where(tf.equal(tf.range(0, S), S - 1), -1e9, bias);
  const u = tf.randomUniform([B, H, T, S], 0, 1, 'float32', 4);
  const mult = withDropout ? tf.div(tf.floor(tf.add(u, 0.9)), 0.9) : undefined;
  const w = tf.randomNormal([B, H, T, S], 0, 1, 'float32', 5);
  const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    attentionProbs(a as tf.Tensor4D, b as tf.Tensor4D, c, mult, true);
  const ops = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => opsProbs(a, b, c, mult, true);
  const loss = (f: typeof ops) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.mul(f(a, b, c), w)) as tf.Scalar;
  return { q, k, bias, fused, ops, loss };
}

/** One kernel call each way, no Softmax, nothing leaked. */
async function expectFused(x: ReturnType<typeof inputs>) {
  const { q, k, bias, fused, loss } = x;
  const prof = await tf.profile(() => fused(q, k, bias));
  expect(prof.kernels.map((p) => p.name)).toContain(ATTENTION_PROBS);
  expect(prof.kernels.filter((p) => p.name === tf.Softmax)).toHaveLength(0);
  const back = await tf.profile(() => tf.grads(loss(fused))([q, k, bias]));
  expect(back.kernels.filter((p) => p.name === ATTENTION_PROBS_GRAD)).toHaveLength(1);
  const before = tf.memory().numTensors;
  tf.dispose(tf.grads(loss(fused))([q, k, bias]));
  expect(tf.memory().numTensors).toBe(before);
}

afterEach(() => {
  setCpuGemmKind(undefined);
  setWasmGemmThreads(undefined);
});

describe('attention probabilities in one wasm kernel call each way: composed (BIOMED_CPU_GEMM=wasm)', () => {
  for (const [what, biasShape, withDropout] of cases) {
    it(`equal the tf-op composition and its gradients bit for bit: ${what}`, async () => {
      await initBackend({ prefer: 'wasm', strict: true });
      setCpuGemmKind('wasm');
      const x = inputs(biasShape, withDropout);
      const { q, k, bias, fused, ops, loss } = x;
      expect(fused(q, k, bias).dataSync()).toEqual(ops(q, k, bias).dataSync());
      const gFused = tf.grads(loss(fused))([q, k, bias]);
      const gOps = tf.grads(loss(ops))([q, k, bias]);
      for (const [i, g] of gFused.entries())
        expect(g.dataSync(), `gradient ${i}`).toEqual(gOps[i]!.dataSync());
      await expectFused(x);
    });
  }
});

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`wasm-attention-probs.test (native): skipped, ${reason}`);
const nativeSuite = addon || process.env['CI'] ? describe : describe.skip;

/** max |a - b| / (1 + max |b|) */
function relError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < y.length; i++) {
    worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
    scale = Math.max(scale, Math.abs(y[i]!));
  }
  return worst / (1 + scale);
}

nativeSuite('attention probabilities on the native addon (BIOMED_CPU_GEMM=native)', () => {
  for (const [what, biasShape, withDropout] of cases) {
    it(`agree with the tf-op composition, values and gradients; same bits on 1 and 2 threads: ${what}`, async () => {
      expect(addon, reason).not.toBeNull();
      await initBackend({ prefer: 'wasm', strict: true });
      setCpuGemmKind('native');
      const x = inputs(biasShape, withDropout);
      const { q, k, bias, fused, ops, loss } = x;
      const before = addon!.info().minParallelElems;
      const runs = [1, 2].map((threads) => {
        setWasmGemmThreads(threads);
        addon!.configure({ minParallelElems: 0 }); // split even these small rows
        try {
          return [fused(q, k, bias), ...tf.grads(loss(fused))([q, k, bias])].map((t) => t.dataSync());
        } finally {
          addon!.configure({ minParallelElems: before });
        }
      });
      expect(runs[1], '2 threads').toEqual(runs[0]);
      // measured worst 9.1e-8 (values in [0, 1.12], gradients of |w| ~ 1): 1e-6 ~ 8 float32 ulps
      expect(relError(fused(q, k, bias), ops(q, k, bias)), 'probs').toBeLessThan(1e-6);
      const gFused = tf.grads(loss(fused))([q, k, bias]);
      const gOps = tf.grads(loss(ops))([q, k, bias]);
      for (const [i, g] of gFused.entries())
        expect(relError(g, gOps[i]!), `gradient ${i}`).toBeLessThan(1e-6);
      await expectFused(x);
    });
  }

  it('rejects a bias that does not broadcast to [B, H, T, S], by name', async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    setCpuGemmKind('native');
    const { q, k } = inputs([1], false);
    const bad = tf.zeros([B, H, T, S + 1]);
    expect(() => tf.engine().runKernel(ATTENTION_PROBS, { q, k, bias: bad }, {})).toThrow(
      /BiomedAttentionProbs: bias float32 \[2, 3, 5, 8\] does not broadcast to float32 \[2, 3, 5, 7\]/,
    );
  });
});
