/**
 * main/eval: every metric the workbench reports. `computeMetrics` gives point estimates under
 * the stable ids of registry.ts, `bootstrapMetrics` their percentile CIs; the metric modules are
 * re-exported for direct use.
 */

import type { BootstrapOptions, ConfidenceInterval, PairedBootstrapResult } from './bootstrap';
import { percentileInterval, resampleIndices } from './bootstrap';
import type { MetricExtras, MetricId, MetricValues } from './registry';
import { assertKnownMetrics, LOWER_IS_BETTER, prepareMetrics } from './registry';

/**
 * Compute the named metrics. `references[i]` is one reference string or several. Returns
 * `{ id: value }` for each requested id (NaN where undefined, e.g. no CLOSED questions).
 */
export function computeMetrics(
  names: readonly string[],
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  extras: MetricExtras = {},
): MetricValues {
  assertKnownMetrics(names);
  const evaluate = prepareMetrics(names, predictions, references, extras);
  return evaluate(predictions.map((_, i) => i));
}

/**
 * Percentile bootstrap CIs of the named metrics, one set of resamples shared by all of them
 * (registry.ts says which metrics are recomputed per resample and which are averaged).
 */
export function bootstrapMetrics(
  names: readonly string[],
  predictions: readonly string[],
  references: readonly (string | readonly string[])[],
  extras: MetricExtras = {},
  options: BootstrapOptions = {},
): Partial<Record<MetricId, ConfidenceInterval>> {
  assertKnownMetrics(names);
  const evaluate = prepareMetrics(names, predictions, references, extras);
  const all = predictions.map((_, i) => i);
  const estimate = evaluate(all);
  // Evaluate each resample once for all metrics, then read the intervals metric by metric.
  const resampled = resampleIndices(predictions.length, options).map((idx) => evaluate(idx));
  const out: Partial<Record<MetricId, ConfidenceInterval>> = {};
  for (const name of names) {
    out[name] = percentileInterval(
      estimate[name] ?? Number.NaN,
      resampled.map((v) => v[name] ?? Number.NaN),
      options.confidence ?? 0.95,
    );
  }
  return out;
}

/**
 * Paired bootstrap test of system A against system B on the same examples, per metric: the
 * same resamples for both; `pValue` is the share of resamples in which A does not beat B
 * (for `LOWER_IS_BETTER` metrics, MAE, the share in which A is not below B). `extras` apply to both (AUROC needs per-system
 * scores, so pass `extrasB` for B's).
 */
export function pairedBootstrapMetrics(
  names: readonly string[],
  predictionsA: readonly string[],
  predictionsB: readonly string[],
  references: readonly (string | readonly string[])[],
  extras: MetricExtras = {},
  options: BootstrapOptions = {},
  extrasB: MetricExtras = extras,
): Partial<Record<MetricId, PairedBootstrapResult>> {
  assertKnownMetrics(names);
  if (predictionsA.length !== predictionsB.length) throw new Error('metrics: systems differ in length');
  const a = prepareMetrics(names, predictionsA, references, extras);
  const b = prepareMetrics(names, predictionsB, references, extrasB);
  const all = predictionsA.map((_, i) => i);
  const [fullA, fullB] = [a(all), b(all)];
  const resamples = resampleIndices(predictionsA.length, options).map((idx) => [a(idx), b(idx)] as const);
  const out: Partial<Record<MetricId, PairedBootstrapResult>> = {};
  for (const name of names) {
    const deltas = resamples.map(([x, y]) => (x[name] ?? Number.NaN) - (y[name] ?? Number.NaN));
    const defined = deltas.filter((d) => !Number.isNaN(d));
    const delta = (fullA[name] ?? Number.NaN) - (fullB[name] ?? Number.NaN);
    out[name] = {
      delta,
      pValue:
        defined.length === 0
          ? Number.NaN
          : defined.filter((d) => (LOWER_IS_BETTER.has(name) ? d >= 0 : d <= 0)).length / defined.length,
      deltaCi: percentileInterval(delta, deltas, options.confidence ?? 0.95),
    };
  }
  return out;
}

export * from './alignment';
export * from './auroc';
export * from './bleu';
export * from './bootstrap';
export * from './cider';
export * from './classification';
export * from './exact-match';
export * from './meteor';
export * from './multilabel';
export * from './normalize';
export * from './ordinal';
export * from './porter-stemmer';
export * from './registry';
export * from './rouge';
export * from './rouge-l-coco';
export * from './wordnet';
