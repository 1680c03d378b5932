import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights, type ModelWeights } from '#main/engine/model/weights';
import { createAdamState, disposeAdamState } from './adamw';
import { type Example, prepareBatch } from './batch';
import { type LoopIo, type LoopPlan, trainingLoop } from './loop';
import { type StepResult, type TrainerState, trainStep } from './step';
import { syntheticExamples, syntheticTokenizer } from './train-fixture';
import type { BestValidation, ValidationResult } from './validate';
import { validationLoss } from './validate';

const examples = syntheticExamples(8, tinyTestConfig());
const held = syntheticExamples(4, tinyTestConfig(), 9);
const tok = syntheticTokenizer([...examples, ...held]);
// no dropout, text only for the accumulation case: the only differences are summation orders
const config = { ...tinyTestConfig({ vocabSize: tok.size }), dropout: 0, dropPath: 0 };
const prepare = (e: readonly Example[]) => prepareBatch(e, tok, config, { constrain: false });

beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
});

function trainer(seed = 5): TrainerState {
  return { config, weights: createWeights(config, seed), adam: createAdamState(), seed };
}
function dispose(s: TrainerState): void {
  disposeWeights(s.weights as ModelWeights);
  disposeAdamState(s.adam);
}
const plan = (over: Partial<LoopPlan> = {}): LoopPlan => ({
  totalSteps: 4,
  microBatchSize: 8,
  checkpointEvery: 2,
  validateEvery: 2,
  train: { schedule: { lr: 1e-2, totalSteps: 4, warmupRatio: 0.25 }, labelSmoothing: 0.1, clipNorm: 1 },
  ...over,
});

/** Records what the loop reports; stops as `stopAt` says. */
function recorder(stopAt?: { step: number; kind: 'pause' | 'cancel' }, data: readonly Example[] = examples) {
  const steps: StepResult[] = [];
  const validations: { step: number; v: ValidationResult; best: BestValidation | null }[] = [];
  const checkpoints: { step: number; best: BestValidation | null }[] = [];
  let next = 1;
  const io: LoopIo = {
    stopRequested: async () => (stopAt && next === stopAt.step ? stopAt.kind : null),
    batch: async () => data,
    prepare,
    validation: async () => held,
    logStep: (r) => {
      steps.push(r);
      next = r.step + 1;
    },
    logValidation: (step, v, best) => validations.push({ step, v, best }),
    checkpoint: async (step, best) => {
      checkpoints.push({ step, best });
    },
  };
  return { io, steps, validations, checkpoints };
}

const weightOf = (s: TrainerState, name: string) =>
  s.weights.get(name)?.dataSync().slice() ?? new Float32Array();

describe('trainingLoop', () => {
  it('runs the same updates as trainStep, stage for stage, and validates and checkpoints when due', async () => {
    const a = trainer();
    const b = trainer();
    const rec = recorder();
    const r = await trainingLoop(a, plan(), rec.io);
    const direct: StepResult[] = [];
    for (let i = 0; i < 4; i++) direct.push(await trainStep(b, [prepare(examples)], plan().train));
    expect(r).toMatchObject({ reason: 'completed', step: 4 });
    expect(rec.steps.map((x) => x.loss)).toEqual(direct.map((x) => x.loss));
    expect(rec.steps.map((x) => x.gradNorm)).toEqual(direct.map((x) => x.gradNorm));
    expect(rec.steps.map((x) => x.lr)).toEqual(direct.map((x) => x.lr));
    expect(weightOf(a, 'decoder.layers.0.fc1.weight')).toEqual(weightOf(b, 'decoder.layers.0.fc1.weight'));
    // validate, then checkpoint with the best score so far, at 2 and 4
    expect(rec.validations.map((v) => v.step)).toEqual([2, 4]);
    expect(rec.checkpoints.map((c) => c.step)).toEqual([2, 4]);
    const losses = rec.validations.map((v) => v.v.loss);
    const bestLoss = Math.min(...losses);
    expect(r.best?.value).toBe(bestLoss);
    expect(r.best?.step).toBe(rec.validations[losses.indexOf(bestLoss)]?.step);
    expect(rec.checkpoints[1]?.best).toEqual(r.best);
    expect(rec.validations[0]?.v.examples).toBe(held.length);
    // the validation figure is the model's NLL on the held-out batch, measured without changing it
    expect(await validationLoss(a, [prepare(held)])).toEqual(rec.validations[1]?.v);
    dispose(a);
    dispose(b);
  });

  it('keeps a better best score restored from the checkpoint it resumed from', async () => {
    const s = trainer();
    const restored = { metric: 'val/loss', value: 1e-9, step: 1 } as const;
    const r = await trainingLoop(s, plan({ best: restored }), recorder().io);
    expect(r.best).toEqual(restored);
    dispose(s);
  });

  it('splits a batch into micro steps: 2 x 4 examples update as 1 x 8 does', async () => {
    const text = examples.map(({ image: _image, ...rest }) => rest);
    const once = trainer(8);
    const twice = trainer(8);
    const p = plan({
      totalSteps: 1,
      validateEvery: 0,
      train: { schedule: { lr: 1e-2, totalSteps: 1, warmupRatio: 0 } },
    });
    const r1 = recorder(undefined, text);
    const r2 = recorder(undefined, text);
    await trainingLoop(once, p, r1.io);
    await trainingLoop(twice, { ...p, microBatchSize: 4 }, r2.io);
    expect(r2.steps[0]?.ntokens).toBe(r1.steps[0]?.ntokens);
    expect(r2.steps[0]?.loss).toBeCloseTo(r1.steps[0]?.loss ?? 0, 5);
    const w1 = weightOf(once, 'decoder.layers.0.fc1.weight');
    const w2 = weightOf(twice, 'decoder.layers.0.fc1.weight');
    let maxDiff = 0;
    for (let i = 0; i < w1.length; i++) maxDiff = Math.max(maxDiff, Math.abs((w1[i] ?? 0) - (w2[i] ?? 0)));
    expect(maxDiff).toBeLessThan(1e-6);
    expect(r1.validations).toEqual([]);
    dispose(once);
    dispose(twice);
  });

  it('stops between updates: pause checkpoints the last update done, cancel does not', async () => {
    const before = tf.memory().numTensors;
    const paused = trainer();
    const rp = recorder({ step: 2, kind: 'pause' });
    expect(await trainingLoop(paused, plan({ checkpointEvery: 10 }), rp.io)).toMatchObject({
      reason: 'paused',
      step: 1,
    });
    expect(rp.checkpoints.map((c) => c.step)).toEqual([1]);
    const cancelled = trainer();
    const rc = recorder({ step: 2, kind: 'cancel' });
    expect(await trainingLoop(cancelled, plan({ checkpointEvery: 10 }), rc.io)).toMatchObject({
      reason: 'cancelled',
      step: 1,
    });
    expect(rc.checkpoints).toEqual([]);
    dispose(paused);
    dispose(cancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});
