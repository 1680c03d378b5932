import { describe, expect, it } from 'vitest';
import { downsample } from './downsample';

describe('downsample', () => {
  const series = Array.from({ length: 100_000 }, (_, i) => ({
    step: i,
    value: i === 54_321 ? 99 : Math.sin(i / 1000),
    wallTime: i,
  }));

  it('keeps at most max points, the ends, and the extremes of each bucket', () => {
    const out = downsample(series, 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out[0]?.step).toBe(0);
    expect(out.at(-1)?.step).toBe(99_999);
    expect(out.some((p) => p.value === 99)).toBe(true);
    expect(out.every((p, i) => i === 0 || p.step > out[i - 1]!.step)).toBe(true);
  });

  it('returns short series unchanged', () => {
    expect(downsample(series.slice(0, 10), 1000)).toHaveLength(10);
  });
});
