import { describe, expect, it } from 'vitest';
import { corpusBleu, sentenceBleu } from './bleu';
import { splitWhitespace } from './normalize';
import type { TextItem } from './vectors/load-vectors';
import { loadVectors } from './vectors/load-vectors';

type Scores = Record<string, number>;
const v = loadVectors<{
  items: TextItem[];
  corpus: Scores;
  sentence: Scores[];
  subsets: (Scores & { from: number; to: number })[];
}>('bleu.json');
const hyps = v.items.map((x) => splitWhitespace(x.prediction));
const refs = v.items.map((x) => x.references.map((r) => splitWhitespace(r)));
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-4);

describe('BLEU vs nltk corpus_bleu / sentence_bleu', () => {
  it('corpus BLEU-1..4 on the whole corpus', () => {
    for (const k of [1, 2, 3, 4]) close(corpusBleu(refs, hyps, k), v.corpus[`bleu${k}`]!);
    expect(v.corpus['bleu4']!).toBeGreaterThan(0.1);
  });
  it.each(v.subsets.map((s) => [`${s.from}..${s.to}`, s] as const))('corpus subset %s', (_, s) => {
    const r = refs.slice(s.from, s.to);
    const h = hyps.slice(s.from, s.to);
    for (const k of [1, 2, 3, 4]) {
      close(corpusBleu(r, h, k), s[`bleu${k}`]!);
      close(corpusBleu(r, h, k, { smoothing: 'method1' }), s[`bleu${k}_method1`]!);
    }
  });
  it('sentence BLEU, unsmoothed and method1, per example', () => {
    v.sentence.forEach((s, i) => {
      for (const k of [1, 2, 3, 4]) {
        close(sentenceBleu(refs[i]!, hyps[i]!, k), s[`bleu${k}`]!);
        close(sentenceBleu(refs[i]!, hyps[i]!, k, { smoothing: 'method1' }), s[`bleu${k}_method1`]!);
      }
    });
  });
  it('clips repeated n-grams and scores an empty hypothesis 0', () => {
    expect(sentenceBleu([['the', 'cat']], ['the', 'the', 'the'], 1)).toBeCloseTo(1 / 3, 12);
    expect(sentenceBleu([['the', 'cat']], [], 1)).toBe(0);
  });
});

describe('BLEU without smoothing keeps nltk float_info.min for zero precisions', () => {
  it('matches the tiny values relatively', () => {
    const s = v.subsets.find((x) => x.from === 17 && x.to === 18)!;
    const r = refs.slice(17, 18);
    const h = hyps.slice(17, 18);
    for (const k of [2, 3, 4]) {
      const want = s[`bleu${k}`]!;
      expect(want).toBeGreaterThan(0);
      expect(want).toBeLessThan(1e-100);
      expect(Math.abs(corpusBleu(r, h, k) / want - 1)).toBeLessThan(1e-9);
    }
  });
});
