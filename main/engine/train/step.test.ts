import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights, type ModelWeights } from '#main/engine/model/weights';
import { createAdamState, disposeAdamState } from './adamw';
import { prepareBatch } from './batch';
import { lrAt } from './schedule';
import { NonFiniteLossError, type TrainerState, trainStep } from './step';
import { syntheticExamples, syntheticTokenizer } from './train-fixture';

const examples = syntheticExamples(8, tinyTestConfig());
const tok = syntheticTokenizer(examples);
const config = tinyTestConfig({ vocabSize: tok.size });
const schedule = { lr: 1e-2, totalSteps: 20, warmupRatio: 0.1 };
let weights: ModelWeights;
let state: TrainerState;

// Runs on the wasm backend when available (the JS backend's strided slices make it ~7x slower).
beforeAll(async () => {
  await initBackend({ prefer: 'wasm' });
  weights = createWeights(config, 3);
  state = { config, weights, adam: createAdamState(), seed: 3 };
});
afterAll(async () => {
  disposeWeights(weights);
  disposeAdamState(state.adam);
});

describe('schedule', () => {
  it('warms up linearly then decays linearly to 0', async () => {
    const s = { lr: 1, totalSteps: 100, warmupRatio: 0.1 };
    expect(lrAt(s, 5)).toBeCloseTo(0.5);
    expect(lrAt(s, 10)).toBeCloseTo(1);
    expect(lrAt(s, 55)).toBeCloseTo(0.5);
    expect(lrAt(s, 100)).toBe(0);
  });
});

describe('trainStep', () => {
  it('lowers the loss over 20 steps without leaking tensors, and reports its figures', async () => {
    const batch = prepareBatch(examples, tok, config, { constrain: false });
    const counts: number[] = [];
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await trainStep(state, [batch], { schedule, labelSmoothing: 0 });
      expect(r.step).toBe(i + 1);
      expect(r.lr).toBeCloseTo(lrAt(schedule, i + 1), 12);
      expect(r.gradNorm).toBeGreaterThan(0);
      expect(r.tokensPerSec).toBeGreaterThan(0);
      losses.push(r.loss);
      counts.push(tf.memory().numTensors);
    }
    // after the first step created the Adam moments, the tensor count must not move
    expect(new Set(counts.slice(1)).size).toBe(1);
    console.log('loss', losses[0], '->', losses.at(-1));
    expect(losses.at(-1)).toBeLessThan((losses[0] ?? 0) * 0.6);
  });

  it('accumulates micro-batches: two halves give the same update as the whole batch', async () => {
    // text only (no BatchNorm batch statistics) and no dropout: the only difference is summation order
    const cfg = { ...config, dropout: 0, dropPath: 0 };
    const text = examples.map(({ image: _image, ...rest }) => rest);
    const run = async (batches: ReturnType<typeof prepareBatch>[]) => {
      const w = createWeights(cfg, 8);
      const s: TrainerState = { config: cfg, weights: w, adam: createAdamState(), seed: 8 };
      const r = await trainStep(s, batches, { schedule: { lr: 1e-2, totalSteps: 1, warmupRatio: 0 } });
      const out = w.get('decoder.layers.0.fc1.weight')?.dataSync().slice() ?? new Float32Array();
      disposeWeights(w);
      disposeAdamState(s.adam);
      return { r, out };
    };
    const whole = await run([prepareBatch(text, tok, cfg)]);
    const halves = await run([
      prepareBatch(text.slice(0, 3), tok, cfg),
      prepareBatch(text.slice(3), tok, cfg),
    ]);
    expect(halves.r.ntokens).toBe(whole.r.ntokens);
    expect(halves.r.loss).toBeCloseTo(whole.r.loss, 5);
    expect(halves.r.gradNorm).toBeCloseTo(whole.r.gradNorm, 5);
    let maxDiff = 0;
    for (let i = 0; i < whole.out.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs((whole.out[i] ?? 0) - (halves.out[i] ?? 0)));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('throws NonFiniteLossError on a NaN loss and leaves the weights untouched', async () => {
    const batch = prepareBatch(examples, tok, config);
    const ln = weights.get('decoder.layer_norm.weight');
    const fc = weights.get('decoder.layers.0.fc1.weight');
    if (!ln || !fc) throw new Error('missing weights');
    const before = fc.dataSync().slice();
    const bn = weights.get('encoder.embed_images.bn1.running_mean');
    const bnBefore = bn?.dataSync().slice();
    const saved = ln.clone();
    ln.assign(tf.fill(ln.shape, Number.NaN));
    await expect(trainStep(state, [batch], { schedule })).rejects.toThrow(NonFiniteLossError);
    expect(fc.dataSync()).toEqual(before);
    expect(bn?.dataSync()).toEqual(bnBefore);
    ln.assign(saved);
    saved.dispose();
  });
});

describe('trainStep with dynamic loss scaling (f16 runs; here forced on, on wasm)', () => {
  const fresh = (seed: number) => {
    const w = createWeights(config, seed);
    return { w, s: { config, weights: w, adam: createAdamState(), seed } as TrainerState };
  };
  const release = (x: { w: ModelWeights; s: TrainerState }) => {
    disposeWeights(x.w);
    disposeAdamState(x.s.adam);
  };
  const snapshot = (w: ModelWeights) =>
    new Map([...w].filter(([, v]) => v.dtype === 'float32').map(([n, v]) => [n, v.dataSync().slice()]));
  const cfgOf = (init: number, growthInterval = 1000, minScale = 1) => ({
    init,
    growthInterval,
    minScale,
    maxScale: 2 ** 127,
  });

  it('an injected overflow (scale 2^120: Inf gradients) skips the update, halves the scale, changes nothing', async () => {
    const x = fresh(11);
    const batch = prepareBatch(examples, tok, config); // with images: BatchNorm buffers must be restored
    const before = snapshot(x.w);
    const r = await trainStep(x.s, [batch], { schedule, lossScale: cfgOf(2 ** 120) });
    expect(r.skipped).toBe(true);
    expect(r.lossScale).toBe(2 ** 119);
    expect(r.step).toBe(0);
    expect(x.s.adam.step).toBe(0);
    const after = snapshot(x.w);
    for (const [n, v] of before) expect(after.get(n), n).toEqual(v);
    release(x);
  });

  it('a safe scale gives the unscaled update (powers of two are exact) and doubles after growthInterval good steps', async () => {
    const cfg = { ...config, dropout: 0, dropPath: 0 };
    const text = examples.map(({ image: _image, ...rest }) => rest);
    const run = async (lossScale: false | ReturnType<typeof cfgOf>) => {
      const w = createWeights(cfg, 12);
      const st: TrainerState = { config: cfg, weights: w, adam: createAdamState(), seed: 12 };
      const rs = [];
      for (let i = 0; i < 2; i++)
        rs.push(await trainStep(st, [prepareBatch(text, tok, cfg)], { schedule, lossScale }));
      const out = snapshot(w);
      disposeWeights(w);
      disposeAdamState(st.adam);
      return { rs, out };
    };
    const plain = await run(false);
    const scaled = await run(cfgOf(2 ** 12, 2));
    expect(plain.rs[0]!.lossScale).toBeUndefined();
    expect(scaled.rs.map((r) => [r.skipped ?? false, r.lossScale])).toEqual([
      [false, 2 ** 12],
      [false, 2 ** 13],
    ]);
    for (const i of [0, 1]) {
      expect(scaled.rs[i]!.loss).toBeCloseTo(plain.rs[i]!.loss, 5);
      expect(scaled.rs[i]!.gradNorm / plain.rs[i]!.gradNorm).toBeCloseTo(1, 5);
    }
    let worst = 0;
    for (const [n, v] of plain.out) {
      const o = scaled.out.get(n)!;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(o[i]! - v[i]!));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('an overflow with the scale at its floor is a NonFiniteLossError, weights untouched', async () => {
    const x = fresh(13);
    const batch = prepareBatch(examples, tok, config);
    const before = snapshot(x.w);
    await expect(
      trainStep(x.s, [batch], { schedule, lossScale: cfgOf(2 ** 120, 1000, 2 ** 120) }),
    ).rejects.toThrow(/loss scale at its floor/);
    const after = snapshot(x.w);
    for (const [n, v] of before) expect(after.get(n), n).toEqual(v);
    release(x);
  });
});
