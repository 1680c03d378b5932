import { datasetKey, type ReferenceRow } from '#shared/domain/reference-row';
import type { Line } from '../charts/align';

/** The rows the scaling view draws: this metric, these datasets, with a parameter count. */
export function plottedReferenceRows(
  rows: readonly ReferenceRow[],
  metric: string,
  datasets: readonly string[],
): ReferenceRow[] {
  const keys = new Set(datasets.map(datasetKey));
  return rows.filter((r) => r.metric === metric && r.params !== null && keys.has(datasetKey(r.dataset)));
}

/**
 * Reference points of the scaling view: rows of this metric on these datasets that give a
 * parameter count, one line per family and dataset (Instruct-BiomedGPT S/M/B is one line, OFA-Huge
 * one point). Marked `reference`, so the chart draws them apart from runs; each carries its
 * sources and example counts for the exported figures.
 */
export function referenceLines(
  rows: readonly ReferenceRow[],
  metric: string,
  datasets: readonly string[],
): Line[] {
  const groups = new Map<string, { points: Map<number, number>; sources: Set<string>; n: Set<number> }>();
  for (const r of plottedReferenceRows(rows, metric, datasets)) {
    const mode = r.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned';
    const label = `reference: ${r.family ?? r.model}, ${r.dataset} ${mode}${r.asQuoted ? ' (as quoted)' : ''}`;
    const g = groups.get(label) ?? { points: new Map<number, number>(), sources: new Set(), n: new Set() };
    g.points.set(r.params ?? 0, r.value);
    g.sources.add(r.citation);
    if (r.n) g.n.add(r.n);
    groups.set(label, g);
  }
  return [...groups.entries()].map(([label, g]) => {
    const x = [...g.points.keys()].sort((a, b) => a - b);
    return {
      label,
      x,
      y: x.map((p) => g.points.get(p) ?? null),
      reference: true,
      source: [...g.sources].join('; '),
      ...(g.n.size ? { n: [...g.n].join(', ') } : {}),
    };
  });
}
