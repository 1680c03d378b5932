/** Metrics reported as percentages in papers but stored as fractions (all but CIDEr). */
const FRACTION_METRICS =
  /^(accuracy|accuracy_closed|accuracy_open|macro_f1|auroc|bleu\d|rouge\w*|meteor|alignment_accuracy)$/;

/**
 * A figure as printed ("71.6", "71.6%", "0.716", "85.24 / 86.1") to the workbench's units: the
 * first number; fraction metrics printed above 1 (or with %) are percentages. Null when no number.
 */
export function parseFigure(text: string, metric: string): number | null {
  const m = /-?\d+(?:\.\d+)?/.exec(text.replace(',', '.'));
  if (!m) return null;
  const v = Number(m[0]);
  if (FRACTION_METRICS.test(metric) && (text.includes('%') || v > 1)) return v / 100;
  if (metric === 'cider' && (text.includes('%') || v > 10)) return v / 100; // papers print CIDEr x100
  return v;
}

/** "182M", "7B", "33,000,000" to a parameter count; null when blank or unreadable. */
export function parseParams(text: string): number | null {
  const m = /^\s*([\d.,_]+)\s*([kKmMbB]?)\s*$/.exec(text);
  if (!m) return null;
  const v = Number((m[1] ?? '').replace(/[,_]/g, ''));
  const scale = { '': 1, k: 1e3, m: 1e6, b: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const n = Math.round(v * scale);
  return Number.isFinite(n) && n > 0 ? n : null;
}
