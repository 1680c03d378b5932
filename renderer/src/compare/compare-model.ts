import type { EvaluationSummary, MetricWithCi } from '#shared/domain/evaluation';
import type { RunDetail } from '#shared/domain/run';
import { describeDecoding, pipelineLabel } from '#shared/evaluation-pipelines';
import type { Line } from '../charts/align';
import { bestPerColumn, type Cell, type ResultTable } from '../export/table';

/** A run as Compare sees it: details and its evaluations (possibly none yet). */
export interface CompareRun {
  readonly run: RunDetail;
  readonly evaluations: readonly EvaluationSummary[];
}

/** Metrics where lower is better (none of the task metrics today; losses if ever listed). */
const LOWER_IS_BETTER = /loss|perplexity|error/i;

/** The evaluation that stands for a run: its latest finished one on the test split, else any finished. */
export function headlineEvaluation(r: CompareRun): EvaluationSummary | undefined {
  const done = r.evaluations.filter((e) => e.status === 'succeeded');
  const byDate = (a: EvaluationSummary, b: EvaluationSummary) => b.createdAt.localeCompare(a.createdAt);
  return (
    [...done].sort(byDate).find((e) => e.split === 'test' && e.mode === 'finetuned') ?? done.sort(byDate)[0]
  );
}

/** A run's metrics with intervals: from its headline evaluation, else its best metric (no interval). */
export function runMetrics(r: CompareRun): Record<string, MetricWithCi> {
  const e = headlineEvaluation(r);
  if (e && Object.keys(e.metrics).length > 0) return e.metrics;
  if (r.run.bestMetricName && r.run.bestMetric !== null)
    return { [r.run.bestMetricName]: { estimate: r.run.bestMetric, low: null, high: null, n: 0 } };
  return {};
}

/** A short label for a run in tables and legends. */
export function runLabel(r: RunDetail): string {
  return r.name;
}

/** A run's architecture: its scale, or the imported weights it started from. */
export function runScale(r: RunDetail): string {
  const w = r.initWeights;
  if (!w) return r.scale;
  return `${w.preset === 'custom' ? 'custom' : w.preset}, from weights "${w.name}"`;
}

/** How many examples a run's figures were scored on (its headline evaluation), '' when unknown. */
export function exampleCount(r: CompareRun, metrics: Record<string, MetricWithCi>): string {
  const counts = [...new Set(Object.values(metrics).map((m) => m.n))].filter((n) => n > 0);
  const all = Math.max(headlineEvaluation(r)?.done ?? 0, ...counts, 0);
  if (!all) return '';
  // Per-answer-type figures (closed / open) are scored on fewer: say the range.
  const least = Math.min(all, ...counts);
  const fmt = (n: number) => n.toLocaleString('en-US');
  return least < all ? `${fmt(all)} (${fmt(least)} to ${fmt(all)} per figure)` : all.toLocaleString('en-US');
}

/** How a run's figures were made (its headline evaluation's decoding and metric pipeline), '' when unknown. */
export function pipelineCell(r: CompareRun): string {
  const e = headlineEvaluation(r);
  return e ? `${describeDecoding(e.decoding)} · ${pipelineLabel(e.pipeline)}` : '';
}

/** The metrics table: one row per run (name, scale, dataset, examples, pipeline), one column per metric. */
export function metricTable(runs: readonly CompareRun[]): ResultTable {
  const per = runs.map(runMetrics);
  const names = [...new Set(per.flatMap((m) => Object.keys(m)))].sort();
  const fixed = ['Run', 'Scale', 'Dataset', 'Examples', 'Pipeline'];
  const rows: Cell[][] = runs.map((r, i) => [
    runLabel(r.run),
    runScale(r.run),
    r.run.datasetName ?? '',
    exampleCount(r, per[i] ?? {}),
    pipelineCell(r),
    ...names.map((n) => per[i]?.[n]?.estimate ?? null),
  ]);
  const intervals = runs.map((_, i) => [
    ...fixed.map(() => null),
    ...names.map((n) => {
      const m = per[i]?.[n];
      return m && m.low !== null && m.high !== null ? ([m.low, m.high] as [number, number]) : null;
    }),
  ]);
  const split = runs.map((r) => headlineEvaluation(r)?.split).find(Boolean);
  return {
    caption: `Comparison of ${runs.length} runs${split ? ` (${split} split, 95% bootstrap CI)` : ''}`,
    columns: [...fixed, ...names],
    rows,
    intervals,
    best: bestPerColumn(
      rows,
      (c) => c >= fixed.length && LOWER_IS_BETTER.test(names[c - fixed.length] ?? ''),
    ),
  };
}

/** Metric names the table has (for the scaling view's picker). */
export function metricNames(runs: readonly CompareRun[]): string[] {
  return [...new Set(runs.flatMap((r) => Object.keys(runMetrics(r))))].sort();
}

/**
 * The scaling view: one line per dataset, x = parameters, y = the metric, averaged over runs of
 * the same dataset and scale (seeds).
 */
export function scalingLines(runs: readonly CompareRun[], metric: string): Line[] {
  const byDataset = new Map<string, Map<number, number[]>>();
  for (const r of runs) {
    const v = runMetrics(r)[metric]?.estimate;
    if (v === null || v === undefined || !r.run.params) continue;
    const ds = r.run.datasetName ?? r.run.datasetId ?? 'unknown dataset';
    const points = byDataset.get(ds) ?? new Map<number, number[]>();
    points.set(r.run.params, [...(points.get(r.run.params) ?? []), v]);
    byDataset.set(ds, points);
  }
  return [...byDataset.entries()].map(([label, points]) => {
    const xs = [...points.keys()].sort((a, b) => a - b);
    return { label, x: xs, y: xs.map((x) => mean(points.get(x) ?? [])) };
  });
}

function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
}
