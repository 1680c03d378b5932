import type { MetricPoint, MetricSeries } from '#shared/domain/metric';

/**
 * Appends pushed points to displayed series (new names become new series). Points at or before
 * a series' last step are dropped, so a replayed or overlapping batch never draws backwards.
 */
export function mergePoints(
  series: readonly MetricSeries[],
  incoming: Readonly<Record<string, readonly MetricPoint[]>>,
): MetricSeries[] {
  const out = series.map((s) => ({ name: s.name, points: s.points }));
  for (const [name, pts] of Object.entries(incoming)) {
    if (pts.length === 0) continue;
    let s = out.find((x) => x.name === name);
    if (!s) {
      s = { name, points: [] };
      out.push(s);
    }
    const last = s.points.at(-1)?.step ?? Number.NEGATIVE_INFINITY;
    const fresh = pts.filter((p) => p.step > last);
    if (fresh.length > 0) s.points = [...s.points, ...fresh];
  }
  return out;
}

/** Whether the displayed series grew so long that a fresh downsampled fetch is due. */
export function needsRefetch(series: readonly MetricSeries[], displayPoints: number): boolean {
  return series.some((s) => s.points.length > 3 * displayPoints);
}
