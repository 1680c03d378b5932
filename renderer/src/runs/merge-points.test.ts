import { describe, expect, it } from 'vitest';
import { mergePoints, needsRefetch } from './merge-points';

const pt = (step: number, value = step) => ({ step, value, wallTime: step });

describe('mergePoints', () => {
  it('appends new steps, adds new series and ignores replays', () => {
    const series = [{ name: 'loss', points: [pt(1), pt(2)] }];
    const out = mergePoints(series, { loss: [pt(2, 99), pt(3)], lr: [pt(3)] });
    expect(out.find((s) => s.name === 'loss')?.points.map((p) => p.step)).toEqual([1, 2, 3]);
    expect(out.find((s) => s.name === 'loss')?.points[1]?.value).toBe(2);
    expect(out.find((s) => s.name === 'lr')?.points).toHaveLength(1);
    expect(series[0]?.points).toHaveLength(2);
  });
  it('asks for a refetch once a series is three times the display budget', () => {
    expect(needsRefetch([{ name: 'loss', points: Array.from({ length: 31 }, (_, i) => pt(i)) }], 10)).toBe(
      true,
    );
    expect(needsRefetch([{ name: 'loss', points: [pt(1)] }], 10)).toBe(false);
  });
});
