import type { MetricPoint } from '#shared/domain/metric';

/**
 * Reduces a series to at most `max` points for display while keeping its shape: each bucket
 * keeps its minimum and maximum (so spikes survive), plus the first and last points.
 */
export function downsample(points: readonly MetricPoint[], max: number): MetricPoint[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const inner = points.slice(1, -1);
  const size = inner.length / buckets;
  const out: MetricPoint[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(inner.length, Math.floor((b + 1) * size));
    if (to <= from) continue;
    let lo = inner[from]!;
    let hi = inner[from]!;
    for (let i = from + 1; i < to; i++) {
      const p = inner[i]!;
      if (p.value < lo.value) lo = p;
      if (p.value > hi.value) hi = p;
    }
    if (lo === hi) out.push(lo);
    else out.push(...(lo.step < hi.step ? [lo, hi] : [hi, lo]));
  }
  out.push(points.at(-1)!);
  return out;
}
