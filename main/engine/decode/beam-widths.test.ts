import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { createEngineSession, type EngineSession } from '#main/engine/session';
import type { Example } from '#main/engine/train/batch';
import { syntheticExamples } from '#main/engine/train/train-fixture';
import { TASK_DECODING } from '#shared/task-hyperparameters';

// Every beam width the released scripts use (1, 5, 10), on every task kind, with the scripts'
// decoding rules (max length, no-repeat n-grams, length penalty, the answer trie), a batch of 8
// as the cpu-xs caption evaluation runs it (the beam step itself is tested in beam-step.test.ts).
const base = syntheticExamples(8, tinyTestConfig());
const words = 'the heart is enlarged lungs are clear no acute findings mild effusion right left'.split(' ');
const free = (e: Example, i: number): Example => ({
  ...e,
  target: words.slice(i % 5, (i % 5) + 6).join(' '),
  candidates: undefined,
});
const text = (e: Example): Example => ({ ...e, image: undefined });

const TASKS = {
  vqa: { examples: base, decoding: TASK_DECODING.vqa, promptInDecoder: true },
  captioning: { examples: base.map(free), decoding: TASK_DECODING.captioning, promptInDecoder: false },
  summarization: {
    examples: base.map(free).map(text),
    decoding: TASK_DECODING.summarization,
    promptInDecoder: false,
  },
  image_classification: {
    examples: base,
    decoding: TASK_DECODING.image_classification,
    promptInDecoder: false,
  },
} as const;

const sessions = new Map<string, EngineSession>();
beforeAll(async () => {
  for (const [task, t] of Object.entries(TASKS)) {
    const texts = t.examples.flatMap((e) => [e.source, e.target, ...words, ...(e.candidates ?? [])]);
    const s = await createEngineSession({
      preset: tinyTestConfig({ maxTargetPositions: 40 }),
      seed: 7,
      vocab: { kind: 'trimmed', texts },
      backend: 'cpu',
      batch: { promptInDecoder: t.promptInDecoder },
    });
    // larger random weights than the init, so that hypotheses differ between tokens and steps
    for (const v of s.weights.values()) if (v.trainable && v.rank >= 2) v.assign(tf.mul(v, 8));
    sessions.set(task, s);
  }
});
afterAll(() => {
  for (const s of sessions.values()) s.dispose();
});

describe('beam widths of the released scripts', () => {
  for (const [task, t] of Object.entries(TASKS)) {
    for (const beamSize of [1, 5, 10]) {
      it(`${task} decodes a batch of 8 at beam ${beamSize}`, async () => {
        const s = sessions.get(task) as EngineSession;
        const d = t.decoding;
        const before = tf.memory().numTensors;
        const out = await s.generate(t.examples, {
          beamSize,
          maxLen: Math.min(d.maxLenB, 32) + 1,
          noRepeatNgram: d.noRepeatNgram,
          lenPenalty: d.lenpen,
          unnormalized: true,
          constrained: d.constrained,
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(out).toHaveLength(8);
        for (const g of out) {
          expect(g.tokens.length).toBeGreaterThan(0);
          expect(Number.isFinite(g.score)).toBe(true);
          if (d.constrained) expect(t.examples[0]?.candidates).toContain(g.text);
        }
      });
    }
  }
});
