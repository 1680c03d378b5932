import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '#shared/model/presets';
import { parameterCount } from '#shared/model/weight-shapes';
import { tinyTestConfig } from './model/test-config';
import { createEngineSession } from './session';
import { syntheticExamples } from './train/train-fixture';

const dictPath = path.resolve(import.meta.dirname, '../../../shared/spec/vocab/dict.txt');

describe('EngineSession', () => {
  it.skipIf(!existsSync(dictPath))(
    'builds paper preset S with the fairseq vocabulary: 33.49M allocated parameters',
    async () => {
      const s = await createEngineSession({
        preset: 'S',
        seed: 1,
        vocab: { kind: 'fairseq', dictPath },
        backend: 'cpu',
      });
      expect(s.config.vocabSize).toBe(59457);
      const allocated = [...s.weights.values()].filter((v) => v.trainable).reduce((n, v) => n + v.size, 0);
      expect(allocated).toBe(parameterCount(PRESETS.S));
      expect(allocated).toBe(33_488_336);
      s.dispose();
    },
  );

  it('trains, generates, scores candidates and evaluates without leaking tensors', async () => {
    const examples = syntheticExamples(4, tinyTestConfig());
    const texts = examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
    const s = await createEngineSession({
      preset: tinyTestConfig(),
      seed: 2,
      vocab: { kind: 'trimmed', texts },
      backend: 'cpu',
    });
    expect(s.config.vocabSize).toBe(s.tokenizer.size);
    await s.trainStep(s.prepare(examples), { schedule: { lr: 1e-3, totalSteps: 10, warmupRatio: 0 } });
    const before = tf.memory().numTensors;
    const free = await s.generate(examples, { beamSize: 2, maxLen: 5 });
    const scored = await s.scoreCandidates(examples);
    const ev = await s.evaluate(examples);
    expect(tf.memory().numTensors).toBe(before);
    expect(free).toHaveLength(4);
    for (const r of scored) expect(examples[0]?.candidates).toContain(r.best);
    // constrained by the candidates, every prediction is one of them
    for (const p of ev.predictions) expect(examples[0]?.candidates).toContain(p);
    expect(ev.exactMatch).toBeGreaterThanOrEqual(0);
    s.dispose();
  });

  it('trains and decodes with the question in the decoder (prompt_type=prev_output)', async () => {
    const examples = syntheticExamples(4, tinyTestConfig());
    const texts = examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]);
    const s = await createEngineSession({
      preset: tinyTestConfig(),
      seed: 3,
      vocab: { kind: 'trimmed', texts },
      backend: 'cpu',
      batch: { promptInDecoder: true },
    });
    const r = await s.trainStep(s.prepare(examples), {
      schedule: { lr: 1e-3, totalSteps: 10, warmupRatio: 0 },
    });
    expect(Number.isFinite(r.loss)).toBe(true);
    const before = tf.memory().numTensors;
    const ev = await s.evaluate(examples, { beamSize: 2 });
    const scored = await s.scoreCandidates(examples.slice(0, 2));
    expect(tf.memory().numTensors).toBe(before);
    for (const p of ev.predictions) expect(examples[0]?.candidates).toContain(p);
    for (const x of scored) expect(x.scores.reduce((a, v) => a + Math.exp(v), 0)).toBeCloseTo(1, 4);
    s.dispose();
  });
});
