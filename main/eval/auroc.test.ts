import { describe, expect, it } from 'vitest';
import { binaryAuroc, macroAuroc, oneVsRestAuroc } from './auroc';
import { loadVectors } from './vectors/load-vectors';

interface Binary {
  name: string;
  y_true: number[];
  scores: number[];
  auroc: number | null;
}
interface Multi {
  name: string;
  y_true: number[];
  scores: number[][];
  per_class: number[];
  auroc: number;
}
const v = loadVectors<{ binary: Binary[]; multiclass: Multi[] }>('auroc.json');

describe('binaryAuroc vs the pairwise Mann-Whitney reference', () => {
  it.each(v.binary.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const got = binaryAuroc(c.y_true, c.scores);
    if (c.auroc === null) expect(got).toBeNaN();
    else expect(Math.abs(got - c.auroc)).toBeLessThan(1e-4);
  });
});

describe('macroAuroc (one-vs-rest)', () => {
  it.each(v.multiclass.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const per = oneVsRestAuroc(c.y_true, c.scores);
    per.forEach((a, i) => {
      expect(Math.abs(a - c.per_class[i]!)).toBeLessThan(1e-4);
    });
    expect(Math.abs(macroAuroc(c.y_true, c.scores) - c.auroc)).toBeLessThan(1e-4);
  });
  it('skips classes without positives', () => {
    expect(
      macroAuroc(
        [0, 1, 0, 1],
        [
          [0.9, 0.1, 0],
          [0.2, 0.8, 0],
          [0.6, 0.4, 0],
          [0.3, 0.7, 0],
        ],
      ),
    ).toBe(1);
  });
});
