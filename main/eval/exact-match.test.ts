import { describe, expect, it } from 'vitest';
import { exactMatch, exactMatchAccuracy } from './exact-match';
import { loadVectors } from './vectors/load-vectors';

interface Case {
  predictions: string[];
  references: string[][];
  answer_types: string[];
  per_example: number[];
  overall: number;
  closed: number;
  open: number;
  n: number;
  n_closed: number;
  n_open: number;
}
const { cases } = loadVectors<{ cases: Case[] }>('exact-match.json');

describe('exactMatchAccuracy', () => {
  it.each(cases.map((c, i) => [i, c] as const))('vector %i', (_, c) => {
    const r = exactMatchAccuracy(c.predictions, c.references, c.answer_types);
    expect(r.perExample).toEqual(c.per_example);
    expect(r.overall).toBeCloseTo(c.overall, 10);
    expect(r.closed).toBeCloseTo(c.closed, 10);
    expect(r.open).toBeCloseTo(c.open, 10);
    expect([r.n, r.nClosed, r.nOpen]).toEqual([c.n, c.n_closed, c.n_open]);
  });
  it('gives NaN for an absent split', () => {
    const r = exactMatchAccuracy(['yes'], [['yes']], ['CLOSED']);
    expect(r.closed).toBe(1);
    expect(r.open).toBeNaN();
  });
  it('does not match a different answer', () => {
    expect(exactMatch('left', ['right', 'left lung'])).toBe(0);
  });
});
