/**
 * Bootstrap confidence intervals and a paired bootstrap test, seeded and reproducible.
 *
 * - Resampling: n example indices drawn with replacement, B times (default 1000), from a
 *   mulberry32 PRNG seeded by `seed` (default 0).
 * - A statistic is any function of the resampled indices, so corpus-level metrics (BLEU, CIDEr,
 *   macro-F1, AUROC) are recomputed on each resampled corpus, and decomposable ones can use
 *   {@link bootstrapMeanCi} over per-example contributions.
 * - CI: the percentile method, the (1-c)/2 and (1+c)/2 quantiles (numpy's default linear
 *   interpolation) of the B resampled statistics; resamples whose statistic is NaN (e.g. AUROC
 *   on a one-class resample) are dropped and counted in `used`.
 * - Paired test (Koehn 2004): the same resamples for both systems; p-value for "A is better
 *   than B" (higher is better) = share of resamples where A does not beat B (Δ ≤ 0).
 */

import { mulberry32 } from '#shared/random';

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** Number of resamples B, default 1000. */
  readonly samples?: number;
  /** PRNG seed, default 0. */
  readonly seed?: number;
  /** Confidence level, default 0.95. */
  readonly confidence?: number;
}

/** A percentile confidence interval. */
export interface ConfidenceInterval {
  /** The statistic on the full (not resampled) data. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Resamples with a defined (non-NaN) statistic. */
  readonly used: number;
}

/** Result of a paired bootstrap test of A against B. */
export interface PairedBootstrapResult {
  /** statA - statB on the full data. */
  readonly delta: number;
  /** Share of resamples where A does not beat B: the p-value for "A better than B". */
  readonly pValue: number;
  /** Percentile CI of the difference. */
  readonly deltaCi: ConfidenceInterval;
}

/** A statistic computed on a (resampled) list of example indices. */
export type Statistic = (indices: readonly number[]) => number;

/** numpy `percentile(values, q)` with linear interpolation; q in [0, 100]. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The B resampled index lists (deterministic for a seed). */
export function resampleIndices(n: number, options: BootstrapOptions = {}): number[][] {
  const b = options.samples ?? 1000;
  if (!(b >= 1)) throw new Error('bootstrap: samples must be >= 1');
  const rand = mulberry32(options.seed ?? 0);
  const out: number[][] = [];
  for (let s = 0; s < b; s++) {
    const idx = new Array<number>(n);
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rand() * n);
    out.push(idx);
  }
  return out;
}

/** Percentile CI from resampled statistics (NaN ones dropped). */
export function percentileInterval(
  estimate: number,
  stats: readonly number[],
  confidence = 0.95,
): ConfidenceInterval {
  const defined = stats.filter((s) => !Number.isNaN(s));
  const tail = ((1 - confidence) / 2) * 100;
  return {
    estimate,
    low: percentile(defined, tail),
    high: percentile(defined, 100 - tail),
    used: defined.length,
  };
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Percentile bootstrap CI of any statistic over n examples. */
export function bootstrapCi(
  n: number,
  statistic: Statistic,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const stats = resampleIndices(n, options).map(statistic);
  return percentileInterval(statistic(range(n)), stats, options.confidence ?? 0.95);
}

/** Percentile bootstrap CI of the mean of per-example contributions. */
export function bootstrapMeanCi(
  values: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const mean: Statistic = (idx) =>
    idx.length === 0 ? Number.NaN : idx.reduce((s, i) => s + values[i]!, 0) / idx.length;
  return bootstrapCi(values.length, mean, options);
}

/** Paired bootstrap test of system A against system B on the same n examples. */
export function pairedBootstrap(
  n: number,
  statisticA: Statistic,
  statisticB: Statistic,
  options: BootstrapOptions = {},
): PairedBootstrapResult {
  const deltas: number[] = [];
  for (const idx of resampleIndices(n, options)) deltas.push(statisticA(idx) - statisticB(idx));
  const all = range(n);
  const delta = statisticA(all) - statisticB(all);
  const defined = deltas.filter((d) => !Number.isNaN(d));
  const notBetter = defined.filter((d) => d <= 0).length;
  return {
    delta,
    pValue: defined.length === 0 ? Number.NaN : notBetter / defined.length,
    deltaCi: percentileInterval(delta, deltas, options.confidence ?? 0.95),
  };
}
