import { describe, expect, it } from 'vitest';
import { tickLabel } from './line-chart';

describe('tickLabel', () => {
  it('keeps tiny learning rates and large parameter counts distinct', () => {
    expect(tickLabel(5e-5)).toBe('5e-5');
    expect(tickLabel(2e-5)).not.toBe(tickLabel(5e-5));
    expect(tickLabel(3_000_000)).toBe('3e6');
    expect(tickLabel(3.5e-5)).toBe('3.5e-5');
    expect(tickLabel(0.25)).toBe('0.25');
    expect(tickLabel(0)).toBe('0');
    expect(tickLabel(null)).toBe('');
  });
});
