import { datasetKey, type ReferenceRow } from '#shared/domain/reference-row';
import type { Line } from '../charts/align';

/**
 * Reference points of the scaling view: rows of this metric on these datasets that give a
 * parameter count, one line per family and dataset (Instruct-BiomedGPT S/M/B is one line, OFA-Huge
 * one point). Marked `reference`, so the chart draws them apart from runs.
 */
export function referenceLines(
  rows: readonly ReferenceRow[],
  metric: string,
  datasets: readonly string[],
): Line[] {
  const keys = new Set(datasets.map(datasetKey));
  const groups = new Map<string, Map<number, number>>();
  for (const r of rows) {
    if (r.metric !== metric || r.params === null || !keys.has(datasetKey(r.dataset))) continue;
    const mode = r.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned';
    const label = `reference: ${r.family ?? r.model}, ${r.dataset} ${mode}${r.asQuoted ? ' (as quoted)' : ''}`;
    const points = groups.get(label) ?? new Map<number, number>();
    points.set(r.params, r.value);
    groups.set(label, points);
  }
  return [...groups.entries()].map(([label, points]) => {
    const x = [...points.keys()].sort((a, b) => a - b);
    return { label, x, y: x.map((p) => points.get(p) ?? null), reference: true };
  });
}
