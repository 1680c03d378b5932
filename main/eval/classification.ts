/**
 * Classification accuracy and macro-F1 over label strings (compared as given; the registry
 * normalises them first).
 *
 * Macro-F1 follows scikit-learn's `f1_score(y_true, y_pred, average='macro')` with its default
 * `labels=None`: the label set is the union of labels in references and predictions (so a label
 * that is only ever predicted counts, with F1 = 0), each label's F1 = 2TP / (2TP + FP + FN),
 * and the unweighted mean is taken. Every label in the union occurs somewhere, so no F1 is 0/0.
 */

/** Share of exact label matches (NaN for no examples). */
export function accuracy(yTrue: readonly string[], yPred: readonly string[]): number {
  if (yTrue.length !== yPred.length) throw new Error('accuracy: length mismatch');
  if (yTrue.length === 0) return Number.NaN;
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return hits / yTrue.length;
}

/** Per-label F1 over labels in references ∪ predictions, sorted. */
export function perLabelF1(yTrue: readonly string[], yPred: readonly string[]): Map<string, number> {
  if (yTrue.length !== yPred.length) throw new Error('macro-F1: length mismatch');
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const inc = (m: Map<string, number>, k: string): void => {
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    if (t === p) inc(tp, t);
    else {
      inc(fp, p);
      inc(fn, t);
    }
  }
  const labels = [...new Set([...yTrue, ...yPred])].sort();
  const out = new Map<string, number>();
  for (const l of labels) {
    const a = tp.get(l) ?? 0;
    const denom = 2 * a + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
    out.set(l, denom === 0 ? 0 : (2 * a) / denom);
  }
  return out;
}

/** Macro-averaged F1 (NaN for no examples). */
export function macroF1(yTrue: readonly string[], yPred: readonly string[]): number {
  const f1 = [...perLabelF1(yTrue, yPred).values()];
  return f1.length === 0 ? Number.NaN : f1.reduce((a, b) => a + b, 0) / f1.length;
}
