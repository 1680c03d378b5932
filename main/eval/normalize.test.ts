import { describe, expect, it } from 'vitest';
import {
  bioclean,
  cleanCaptionHypothesis,
  normalizeAnswer,
  normalizeAnswerType,
  pyStrip,
  splitWhitespace,
} from './normalize';
import { rougeTokenize } from './rouge';
import { loadVectors } from './vectors/load-vectors';

interface Case {
  input: string;
  answer: string;
  bioclean: string;
  caption_hypothesis: string;
  rouge_tokens: string[];
  rouge_tokens_stemmed: string[];
  split: string[];
}
const { cases } = loadVectors<{ cases: Case[] }>('normalize.json');

describe('normalize (vectors from Python)', () => {
  it.each(cases.map((c) => [JSON.stringify(c.input), c] as const))('%s', (_, c) => {
    expect(normalizeAnswer(c.input)).toBe(c.answer);
    expect(bioclean(c.input)).toBe(c.bioclean);
    expect(cleanCaptionHypothesis(c.input)).toBe(c.caption_hypothesis);
    expect(splitWhitespace(c.input)).toEqual(c.split);
    expect(rougeTokenize(c.input, false)).toEqual(c.rouge_tokens);
    expect(rougeTokenize(c.input, true)).toEqual(c.rouge_tokens_stemmed);
  });
});

describe('normalize quirks', () => {
  it('keeps hyphens in bioclean (the Python class has a range, not a literal "-")', () => {
    expect(bioclean('Chest X-ray: <normal>')).toBe('chest x-ray normal');
    expect(cleanCaptionHypothesis('Chest X-ray')).toBe('chest xray');
  });
  it('uses the Python whitespace set', () => {
    expect(pyStrip('\x1c a \ufeff')).toBe('a \ufeff');
    expect(splitWhitespace('a\x85b\u3000c')).toEqual(['a', 'b', 'c']);
  });
  it('normalises answer types', () => {
    expect(normalizeAnswerType('CLOSED ')).toBe('CLOSED');
    expect(normalizeAnswerType(' open')).toBe('OPEN');
  });
});
