import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights } from '#main/engine/model/weights';
import { createAdamState, disposeAdamState } from '#main/engine/train/adamw';
import { prepareBatch } from '#main/engine/train/batch';
import { type TrainerState, trainStep } from '#main/engine/train/step';
import { syntheticExamples, syntheticTokenizer } from '#main/engine/train/train-fixture';
import { initBackend } from './index';
import { installLeanSaves, leanSavesUnsupportedReason, uninstallLeanSaves } from './lean-saves';

const examples = syntheticExamples(4, tinyTestConfig());
const tok = syntheticTokenizer(examples);
// dropout and drop-path on: their masks (and their saved multipliers) come from the seed
const config = tinyTestConfig({ vocabSize: tok.size, dropout: 0.1, dropPath: 0.1 });
const schedule = { lr: 1e-2, totalSteps: 10, warmupRatio: 0 };

interface Run {
  losses: number[];
  weights: Map<string, Float32Array>;
  identityCalls: number;
  kernelCalls: number;
  tensorsAfter: number;
  bytesAfter: number;
}

/** Two train steps of the tiny model from the same start; the second one profiled. */
async function run(): Promise<Run> {
  const weights = createWeights(config, 3);
  const state: TrainerState = { config, weights, adam: createAdamState(), seed: 3 };
  const batch = prepareBatch(examples, tok, config, { constrain: false });
  const opts = { schedule, labelSmoothing: 0.1, clipNorm: 1 };
  const losses = [(await trainStep(state, [batch], opts)).loss];
  const tensorsBefore = tf.memory().numTensors;
  const bytesBefore = tf.memory().numBytes;
  const profile = await tf.profile(async () => {
    losses.push((await trainStep(state, [batch], opts)).loss);
  });
  const out: Run = {
    losses,
    weights: new Map([...weights].map(([n, v]) => [n, v.dataSync() as Float32Array])),
    identityCalls: profile.kernels.filter((k) => k.name === 'Identity').length,
    kernelCalls: profile.kernels.length,
    tensorsAfter: tf.memory().numTensors - tensorsBefore,
    bytesAfter: tf.memory().numBytes - bytesBefore,
  };
  disposeAdamState(state.adam);
  disposeWeights(weights);
  return out;
}

describe('kernel-free saves for the backward pass', () => {
  it('is written for the installed tfjs-core and refuses another version', () => {
    expect(leanSavesUnsupportedReason()).toBeUndefined();
    expect(leanSavesUnsupportedReason('4.21.0')).toMatch(/written for tfjs-core 4\.22\.0, found 4\.21\.0/);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`trains bit-identically with far fewer Identity calls on ${backend}`, async () => {
      await initBackend({ prefer: backend, strict: true });
      uninstallLeanSaves();
      const stock = await run();
      expect(installLeanSaves()).toBeUndefined();
      const lean = await run();
      expect(lean.losses).toEqual(stock.losses);
      for (const [name, w] of stock.weights) expect(lean.weights.get(name), name).toEqual(w);
      // the same tensors and bytes stay alive (the moments), nothing leaks
      expect(lean.tensorsAfter).toBe(stock.tensorsAfter);
      expect(lean.bytesAfter).toBe(stock.bytesAfter);
      // what remains are explicit tf.clone calls; every save was an Identity call before
      expect(lean.identityCalls).toBeLessThan(stock.identityCalls / 4);
      expect(stock.kernelCalls - lean.kernelCalls).toBe(stock.identityCalls - lean.identityCalls);
    });
  }

  it('still gives higher-order gradients (their saves are taped too)', async () => {
    await initBackend({ prefer: 'cpu', strict: true });
    installLeanSaves();
    const x = tf.tensor1d([0.5, -1, 2]);
    const cube = (u: tf.Tensor) => tf.sum(tf.mul(tf.mul(u, u), u)); // d2/dx2 sum(x^3) = 6x
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(cube)(t)));
    expect(Array.from(g2(x).dataSync())).toEqual([3, -6, 12]);
  });
});
