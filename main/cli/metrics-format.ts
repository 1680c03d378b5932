import type { MetricWithCi } from '#shared/domain/evaluation';

/** `0.412 [0.371, 0.455]`, or `-` when the metric is undefined on the data. */
export function formatCi(m: MetricWithCi | undefined, digits = 3): string {
  if (!m || m.estimate === null) return '-';
  const ci =
    m.low !== null && m.high !== null ? ` [${m.low.toFixed(digits)}, ${m.high.toFixed(digits)}]` : '';
  return `${m.estimate.toFixed(digits)}${ci}`;
}

/** Splits `a,b,c` flags into a list (empty entries dropped). */
export function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
