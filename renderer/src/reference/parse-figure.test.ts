import { describe, expect, it } from 'vitest';
import { parseFigure, parseParams } from './parse-figure';

describe('parseFigure', () => {
  it('reads printed figures into the workbench units', () => {
    expect(parseFigure('71.6', 'accuracy')).toBeCloseTo(0.716);
    expect(parseFigure('71.6%', 'accuracy')).toBeCloseTo(0.716);
    expect(parseFigure('0.716', 'accuracy')).toBeCloseTo(0.716);
    expect(parseFigure('85.24 / 86.1', 'accuracy')).toBeCloseTo(0.8524);
    expect(parseFigure('36.0', 'cider')).toBeCloseTo(0.36);
    expect(parseFigure('0.9', 'cider')).toBeCloseTo(0.9);
    expect(parseFigure('n/a', 'accuracy')).toBeNull();
  });
  it('reads parameter counts with suffixes', () => {
    expect(parseParams('182M')).toBe(182e6);
    expect(parseParams('7B')).toBe(7e9);
    expect(parseParams('33,000,000')).toBe(33e6);
    expect(parseParams('')).toBeNull();
    expect(parseParams('lots')).toBeNull();
  });
});
