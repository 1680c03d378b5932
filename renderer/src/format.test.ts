import { describe, expect, it } from 'vitest';
import { estimateEta, formatBytes, formatDuration, formatMetric, formatParams } from './format';

describe('formatters', () => {
  it('formats parameters, bytes and durations', () => {
    expect(formatParams(182_000_000)).toBe('182.0M');
    expect(formatParams(930_000_000_0)).toBe('9.30B');
    expect(formatBytes(1536)).toBe('2 kB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(7500)).toBe('2 h 05 min');
    expect(formatMetric(null)).toBe('–');
    expect(formatMetric(0.61234)).toBe('0.612');
  });
  it('estimates time left from the pace so far', () => {
    expect(estimateEta(10, 100, 20)).toBeCloseTo(180);
    expect(estimateEta(0, 100, 20)).toBeNull();
    expect(estimateEta(100, 100, 20)).toBeNull();
    expect(estimateEta(5, null, 20)).toBeNull();
  });
});
