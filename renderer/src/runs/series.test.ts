import { describe, expect, it } from 'vitest';
import { orderSeries, secondsPerStep, seriesTitle } from './series';

const s = (name: string, pts: [number, number, number][] = []) => ({
  name,
  points: pts.map(([step, value, wallTime]) => ({ step, value, wallTime })),
});

describe('run series', () => {
  it('orders loss, lr, gradient norm, throughput first', () => {
    const names = orderSeries([s('val_accuracy'), s('throughput'), s('lr'), s('grad_norm'), s('loss')]).map(
      (x) => x.name,
    );
    expect(names).toEqual(['loss', 'lr', 'grad_norm', 'throughput', 'val_accuracy']);
    expect(seriesTitle('lr')).toBe('Learning rate');
    expect(seriesTitle('val_accuracy')).toBe('val accuracy');
  });
  it('measures the recent pace in seconds per step', () => {
    expect(
      secondsPerStep(
        s('loss', [
          [1, 0, 1000 + 1.7e12],
          [11, 0, 6000 + 1.7e12],
        ]),
      ),
    ).toBeCloseTo(0.5);
    expect(secondsPerStep(s('loss', [[1, 0, 1000]]))).toBeNull();
  });
});

describe('secondsPerStep units', () => {
  it('accepts wall times in seconds too', () => {
    expect(
      secondsPerStep(
        s('loss', [
          [0, 0, 100],
          [10, 0, 120],
        ]),
      ),
    ).toBeCloseTo(2);
  });
});
