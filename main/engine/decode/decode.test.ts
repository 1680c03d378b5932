import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { makeContext } from '#main/engine/model/context';
import { decode } from '#main/engine/model/decoder';
import { encode } from '#main/engine/model/encoder';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createWeights, disposeWeights, type ModelWeights } from '#main/engine/model/weights';
import { answerTrie, prepareBatch } from '#main/engine/train/batch';
import { batchTensors, disposeBatchTensors } from '#main/engine/train/tensors';
import { syntheticExamples, syntheticTokenizer } from '#main/engine/train/train-fixture';
import { IncrementalDecoder } from './incremental';
import { scoreCandidates } from './score';
import { beamSearch, greedy } from './search';

const examples = syntheticExamples(4, tinyTestConfig());
const tok = syntheticTokenizer(examples);
const config = tinyTestConfig({ vocabSize: tok.size });
let weights: ModelWeights;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', strict: true });
  weights = createWeights(config, 5);
  // larger random weights than the init, so that decoding paths differ between tokens and steps
  for (const [name, v] of weights) {
    if (v.trainable && v.rank >= 2) v.assign(tf.mul(v, name.includes('rel_pos') ? 1 : 10));
    if (name.includes('rel_pos_table')) v.assign(tf.randomNormal(v.shape, 0, 0.5, 'float32', 9));
  }
});
afterAll(() => disposeWeights(weights));

function inputs() {
  return batchTensors(prepareBatch(examples, tok, config), config);
}

describe('incremental decoding', () => {
  it('KV-cache log-probs equal full recomputation (max abs diff < 1e-5)', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const seq = [0, 7, 9, 4, 11, 5, 6];
    const b = inp.tokens.shape[0];
    const enc = encode(ctx, inp);
    const full = tf.tidy(() => {
      const t = tf.tensor2d(
        Array.from({ length: b }, () => seq),
        [b, seq.length],
        'int32',
      );
      return tf.logSoftmax(decode(ctx, enc, t).logits, -1); // [B, T, V]
    });
    const ref = full.arraySync() as number[][][];
    const dec = new IncrementalDecoder(ctx, enc);
    let maxDiff = 0;
    for (let t = 0; t < seq.length; t++) {
      const lp = await dec.step(new Array(b).fill(seq[t]));
      const v = lp.length / b;
      for (let i = 0; i < b; i++)
        for (let j = 0; j < v; j++)
          maxDiff = Math.max(maxDiff, Math.abs((lp[i * v + j] ?? 0) - (ref[i]?.[t]?.[j] ?? 0)));
    }
    dec.dispose();
    tf.dispose([full, enc.x, enc.pad, enc.pos]);
    disposeBatchTensors(inp);
    expect(maxDiff).toBeLessThan(1e-5);
  });
});

describe('forced decoder prefix', () => {
  it('feeding a prefix at once equals feeding it token by token (KV cache)', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const b = inp.tokens.shape[0];
    const prefix = [7, 9, 4];
    const enc = encode(ctx, inp);
    const once = new IncrementalDecoder(ctx, enc);
    const a1 = await once.stepMany(Array.from({ length: b }, () => [0, ...prefix]));
    const a2 = await once.step(new Array(b).fill(11));
    const each = new IncrementalDecoder(ctx, enc);
    let b1: Float32Array = new Float32Array();
    for (const t of [0, ...prefix]) b1 = await each.step(new Array(b).fill(t));
    const b2 = await each.step(new Array(b).fill(11));
    const diff = (x: Float32Array, y: Float32Array) =>
      x.reduce((m, v, i) => Math.max(m, Math.abs(v - (y[i] ?? 0))), 0);
    expect(diff(a1, b1)).toBeLessThan(1e-5);
    expect(diff(a2, b2)).toBeLessThan(1e-5);
    once.dispose();
    each.dispose();
    tf.dispose([enc.x, enc.pad, enc.pos]);
    disposeBatchTensors(inp);
  });

  it('constrained decoding after a question prefix stays in the answer set; beam 1 == greedy', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const tries = examples.map((e) => answerTrie(tok, e.candidates ?? []));
    const prefix = tok.encode(' question number 1 about the image?');
    const g = await greedy(ctx, inp, {}, tries, prefix);
    const b1 = await beamSearch(ctx, inp, { beamSize: 1 }, tries, prefix);
    const b3 = await beamSearch(ctx, inp, { beamSize: 3 }, tries, prefix);
    disposeBatchTensors(inp);
    const allowed = new Set(examples[0]?.candidates);
    for (const h of [...g, ...b3]) expect(allowed.has(tok.decode(h.tokens))).toBe(true);
    expect(b1.map((h) => h.tokens)).toEqual(g.map((h) => h.tokens));
  });
});

describe('search', () => {
  it('beam size 1 equals greedy', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const opts = { maxLen: 8, minLen: 3 };
    const g = await greedy(ctx, inp, opts);
    const b1 = await beamSearch(ctx, inp, { ...opts, beamSize: 1 });
    disposeBatchTensors(inp);
    expect(b1.map((h) => h.tokens)).toEqual(g.map((h) => h.tokens));
    expect(g.some((h) => h.tokens.length > 2)).toBe(true);
    for (const [i, h] of g.entries()) expect(b1[i]?.logProb).toBeCloseTo(h.logProb, 4);
  });

  it('never leaves the answer set when constrained (greedy and beam)', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const tries = examples.map((e) => answerTrie(tok, e.candidates ?? []));
    const allowed = new Set(examples[0]?.candidates);
    for (const hyps of [
      await greedy(ctx, inp, {}, tries),
      await beamSearch(ctx, inp, { beamSize: 3 }, tries),
    ]) {
      for (const h of hyps) expect(allowed.has(tok.decode(h.tokens))).toBe(true);
    }
    // unconstrained, these random weights wander outside the set
    const free = await greedy(ctx, inp, { maxLen: 6 });
    expect(free.some((h) => !allowed.has(tok.decode(h.tokens)))).toBe(true);
    disposeBatchTensors(inp);
  });

  it('beam search respects min/max length and no-repeat n-grams', async () => {
    const ctx = makeContext(config, weights, false);
    const inp = inputs();
    const hyps = await beamSearch(ctx, inp, { beamSize: 3, minLen: 4, maxLen: 7, noRepeatNgram: 2 });
    disposeBatchTensors(inp);
    for (const h of hyps) {
      expect(h.tokens.length).toBeGreaterThanOrEqual(5);
      expect(h.tokens.length).toBeLessThanOrEqual(7);
      const bigrams = h.tokens.slice(1).map((t, i) => `${h.tokens[i]},${t}`);
      expect(new Set(bigrams).size).toBe(bigrams.length);
    }
  });

  it('scores all candidates and picks the argmax', async () => {
    const ctx = makeContext(config, weights, false);
    const one = prepareBatch(examples.slice(0, 1), tok, config);
    const inp = batchTensors(one, config);
    const cands = (examples[0]?.candidates ?? []).map((c) => tok.encode(` ${c}`));
    const trie = answerTrie(tok, examples[0]?.candidates ?? []);
    const r = await scoreCandidates(ctx, inp, cands, trie);
    disposeBatchTensors(inp);
    expect(r.scores).toHaveLength(cands.length);
    for (const s of r.scores) expect(s).toBeLessThanOrEqual(0);
    // under the trie the candidate probabilities form a distribution over the answer set
    expect(r.scores.reduce((a, s) => a + Math.exp(s), 0)).toBeCloseTo(1, 4);
    expect(r.scores[r.best]).toBe(Math.max(...r.scores));
  });
});
