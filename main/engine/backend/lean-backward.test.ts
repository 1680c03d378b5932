import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights } from '#main/engine/model/weights';
import { prepareBatch } from '#main/engine/train/batch';
import { trainingLoss } from '#main/engine/train/loss';
import { batchTensors, disposeBatchTensors } from '#main/engine/train/tensors';
import { syntheticExamples, syntheticTokenizer } from '#main/engine/train/train-fixture';
import { initBackend } from './index';
import { installLeanBackward, leanBackwardUnsupportedReason, uninstallLeanBackward } from './lean-backward';

const examples = syntheticExamples(4, tinyTestConfig());
const tok = syntheticTokenizer(examples);
// dropout and drop-path on: their masks come from the context seed, identical in both runs
const config = tinyTestConfig({ vocabSize: tok.size, dropout: 0.1, dropPath: 0.1 });

interface Run {
  loss: Float32Array;
  grads: Map<string, Float32Array>;
  peakBytes: number;
  tensorsAfter: number;
}

/** The train step's gradient computation (tf.variableGrads over the model and loss). */
async function run(): Promise<Run> {
  const weights = createWeights(config, 3);
  const inputs = batchTensors(prepareBatch(examples, tok, config), config);
  const vars = [...weights.values()].filter((v) => v.trainable);
  const nameOf = new Map([...weights].map(([n, v]) => [v.name, n]));
  const tensorsBefore = tf.memory().numTensors;
  const bytesBefore = tf.memory().numBytes; // weights and batch
  const grads = new Map<string, Float32Array>();
  let loss: Float32Array = new Float32Array();
  const profile = await tf.profile(() => {
    const ctx = makeContext(config, weights, true, 7);
    const r = tf.variableGrads(
      () => trainingLoss(forward(ctx, inputs), inputs.targets, 0.1, inputs.allowed),
      vars,
    );
    loss = r.value.dataSync() as Float32Array;
    r.value.dispose();
    for (const [vn, g] of Object.entries(r.grads)) {
      grads.set(nameOf.get(vn) ?? vn, g.dataSync() as Float32Array);
      g.dispose();
    }
    for (const t of ctx.bnUpdates.values()) t.dispose();
  });
  const tensorsAfter = tf.memory().numTensors - tensorsBefore;
  disposeBatchTensors(inputs);
  disposeWeights(weights);
  return { loss, grads, peakBytes: profile.peakBytes - bytesBefore, tensorsAfter };
}

describe('lean backward pass', () => {
  it('is written for the installed tfjs-core and refuses another version', () => {
    expect(leanBackwardUnsupportedReason()).toBeUndefined();
    expect(leanBackwardUnsupportedReason('4.21.0')).toMatch(/written for tfjs-core 4\.22\.0, found 4\.21\.0/);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`gives bit-identical loss and gradients with a lower peak on ${backend}`, async () => {
      await initBackend({ prefer: backend, strict: true });
      uninstallLeanBackward();
      const stock = await run();
      expect(installLeanBackward()).toBeUndefined();
      const lean = await run();
      expect(lean.loss).toEqual(stock.loss);
      expect([...lean.grads.keys()].sort()).toEqual([...stock.grads.keys()].sort());
      for (const [name, g] of stock.grads) expect(lean.grads.get(name), name).toEqual(g);
      // nothing leaks, nothing is freed twice
      expect(lean.tensorsAfter).toBe(0);
      expect(stock.tensorsAfter).toBe(0);
      // tiny model: 2.66 -> 2.38 MB above the weights (cpu-m's step: 1,077 -> 512 MiB, bench/step-memory.ts)
      expect(lean.peakBytes).toBeLessThan(0.95 * stock.peakBytes);
    });
  }

  it('runs higher-order gradients (stock path) and leaves a caller-supplied dy alone', async () => {
    await initBackend({ prefer: 'cpu', strict: true });
    installLeanBackward();
    const x = tf.tensor1d([0.5, -1, 2]);
    // d/dx of d/dx sum(x^3) = 6x: the inner gradient runs at gradientDepth > 0
    const cube = (u: tf.Tensor) => tf.sum(tf.mul(tf.mul(u, u), u));
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.grad(cube)(t)));
    expect(Array.from(g2(x).dataSync())).toEqual([3, -6, 12]);
    const dy = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.square(t))(x, dy);
    expect(Array.from(g.dataSync())).toEqual([1, -4, 12]);
    expect(dy.isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false);
  });
});
