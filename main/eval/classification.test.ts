import { describe, expect, it } from 'vitest';
import { accuracy, macroF1, perLabelF1 } from './classification';
import { loadVectors } from './vectors/load-vectors';

interface Case {
  name: string;
  y_true: string[];
  y_pred: string[];
  accuracy: number;
  macro_f1: number;
}
const { cases } = loadVectors<{ cases: Case[] }>('classification.json');

describe('accuracy and macro-F1', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expect(Math.abs(accuracy(c.y_true, c.y_pred) - c.accuracy)).toBeLessThan(1e-4);
    expect(Math.abs(macroF1(c.y_true, c.y_pred) - c.macro_f1)).toBeLessThan(1e-4);
  });
  it('counts a label that is only predicted (sklearn labels=None)', () => {
    const f1 = perLabelF1(['a', 'a', 'b', 'b'], ['a', 'c', 'b', 'b']);
    expect([...f1.keys()]).toEqual(['a', 'b', 'c']);
    expect(f1.get('c')).toBe(0);
    expect(macroF1(['a', 'a', 'b', 'b'], ['a', 'c', 'b', 'b'])).toBeCloseTo((2 / 3 + 1 + 0) / 3, 12);
  });
});
