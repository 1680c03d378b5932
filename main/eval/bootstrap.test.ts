import { describe, expect, it } from 'vitest';
import { mulberry32 } from '#shared/random';
import { bootstrapCi, bootstrapMeanCi, pairedBootstrap, percentile, resampleIndices } from './bootstrap';

function bernoulli(n: number, p: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => (r() < p ? 1 : 0));
}

describe('bootstrap', () => {
  it('percentile interpolates like numpy', () => {
    expect(percentile([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 12);
    expect(percentile([5], 97.5)).toBe(5);
  });
  it('CI contains the point estimate and narrows as n grows', () => {
    const small = bootstrapMeanCi(bernoulli(50, 0.6, 1));
    const large = bootstrapMeanCi(bernoulli(2000, 0.6, 1));
    for (const ci of [small, large]) {
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
      expect(ci.used).toBe(1000);
    }
    expect(large.high - large.low).toBeLessThan((small.high - small.low) / 3);
    // Normal approximation: the 95% half-width for p = 0.6, n = 2000 is about 0.0215.
    expect((large.high - large.low) / 2).toBeGreaterThan(0.017);
    expect((large.high - large.low) / 2).toBeLessThan(0.026);
  });
  it('is reproducible for a seed and depends on it', () => {
    const x = bernoulli(100, 0.5, 3);
    expect(bootstrapMeanCi(x, { seed: 7 })).toEqual(bootstrapMeanCi(x, { seed: 7 }));
    expect(resampleIndices(20, { seed: 7, samples: 3 })).not.toEqual(
      resampleIndices(20, { seed: 8, samples: 3 }),
    );
  });
  it('drops NaN resamples', () => {
    const ci = bootstrapCi(3, (idx) => (idx.every((i) => i === idx[0]) ? Number.NaN : 1), { samples: 500 });
    expect(ci.used).toBeLessThan(500);
    expect(ci.low).toBe(1);
  });
  it('paired test: a clearly better system gets a small p, an equal one does not', () => {
    const a = bernoulli(400, 0.75, 11);
    const b = bernoulli(400, 0.6, 12);
    const mean = (xs: number[]) => (idx: readonly number[]) =>
      idx.reduce((s, i) => s + xs[i]!, 0) / idx.length;
    const better = pairedBootstrap(400, mean(a), mean(b));
    expect(better.delta).toBeGreaterThan(0.08);
    expect(better.pValue).toBeLessThan(0.01);
    expect(better.deltaCi.low).toBeGreaterThan(0);
    const same = pairedBootstrap(400, mean(a), mean(a));
    expect(same.pValue).toBe(1);
    const worse = pairedBootstrap(400, mean(b), mean(a));
    expect(worse.pValue).toBeGreaterThan(0.99);
  });
});
