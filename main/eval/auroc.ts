/**
 * Area under the ROC curve from candidate scores, as scikit-learn's `roc_auc_score` defines it.
 *
 * - Binary: the Mann-Whitney statistic, AUC = (Σ ranks of positives - P(P+1)/2) / (P·N) with
 *   average ranks for tied scores, which equals the trapezoidal ROC area sklearn integrates
 *   (a tied positive/negative pair counts 1/2). NaN when only one class is present (sklearn
 *   raises there).
 * - Multi-class: one-vs-rest macro average (`multi_class='ovr', average='macro'`): for each
 *   class c, the binary AUC of (y == c) against column c of the scores, then the unweighted mean.
 *   Departure: sklearn requires every class to appear in y_true and rows to sum to 1; here
 *   classes with no positive (or no negative) example are left out of the mean, and scores need
 *   not be probabilities.
 */

/** Binary AUROC; `labels[i]` is 1 (positive) or 0 (negative). */
export function binaryAuroc(labels: readonly number[], scores: readonly number[]): number {
  if (labels.length !== scores.length) throw new Error('auroc: length mismatch');
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = avg;
    i = j + 1;
  }
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) {
      pos++;
      rankSum += ranks[i]!;
    } else if (labels[i] !== 0) throw new Error(`auroc: binary labels must be 0 or 1, got ${labels[i]}`);
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Per-class one-vs-rest AUROC; `labels[i]` is a class index into each score row. */
export function oneVsRestAuroc(labels: readonly number[], scores: readonly (readonly number[])[]): number[] {
  if (labels.length !== scores.length) throw new Error('auroc: length mismatch');
  const k = scores[0]?.length ?? 0;
  const out: number[] = [];
  for (let c = 0; c < k; c++) {
    out.push(
      binaryAuroc(
        labels.map((y) => (y === c ? 1 : 0)),
        scores.map((row) => {
          const v = row[c];
          if (v === undefined) throw new Error('auroc: ragged score matrix');
          return v;
        }),
      ),
    );
  }
  return out;
}

/** Macro one-vs-rest AUROC over classes that have both positives and negatives. */
export function macroAuroc(labels: readonly number[], scores: readonly (readonly number[])[]): number {
  const defined = oneVsRestAuroc(labels, scores).filter((a) => !Number.isNaN(a));
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}
