import type { MetricWithCi } from './domain/evaluation';
import type { ReferenceRow } from './domain/reference-row';
import type { ReproductionVerdict } from './domain/reproduction';

/** Metrics that are a share of examples: their published figure implies a count out of `n`. */
const PROPORTIONS = new Set([
  'accuracy',
  'accuracy_closed',
  'accuracy_open',
  'alignment_accuracy',
  'label_accuracy',
]);

/** Wilson score 95% interval of k successes out of n. */
export function wilsonInterval(k: number, n: number): { low: number; high: number } {
  const z = 1.959963984540054;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Is the reproduced figure consistent with the published one? For a share of n examples (the
 * published count k = round(value * n)), whether the measured estimate lies inside the Wilson 95%
 * CI of k / n; for other metrics (CIDEr, ROUGE), whether the published value lies inside the
 * measured bootstrap 95% CI. `pending` until the evaluation has the metric.
 */
export function reproductionVerdict(
  row: ReferenceRow,
  measured: MetricWithCi | undefined,
): ReproductionVerdict {
  const n = row.n ?? null;
  const counted = n !== null && PROPORTIONS.has(row.metric);
  const ci = counted ? wilsonInterval(Math.round(row.value * n), n) : null;
  const published = { value: row.value, n, low: ci?.low ?? null, high: ci?.high ?? null };
  const m = measured ?? null;
  if (!m || m.estimate === null)
    return { verdict: 'pending', published, measured: m, basis: 'the evaluation has no figure yet' };
  if (ci) {
    const inside = m.estimate >= ci.low && m.estimate <= ci.high;
    return {
      verdict: inside ? 'inside' : 'outside',
      published,
      measured: m,
      basis: `measured ${row.metric} ${m.estimate.toFixed(3)} (n ${m.n}) against the 95% CI [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}] of the published ${Math.round(row.value * (n ?? 0))} / ${n}`,
    };
  }
  if (m.low === null || m.high === null)
    return { verdict: 'pending', published, measured: m, basis: 'the measured figure has no CI' };
  const inside = row.value >= m.low && row.value <= m.high;
  return {
    verdict: inside ? 'inside' : 'outside',
    published,
    measured: m,
    basis: `published ${row.metric} ${row.value} against the measured 95% CI [${m.low.toFixed(3)}, ${m.high.toFixed(3)}] (n ${m.n})`,
  };
}
