/**
 * Multi-label classification metrics (ChestMNIST: 14 findings per image), as MedMNIST v2's
 * `evaluator.getAUC` / `getACC` define them for the task `multi-label, binary-class`:
 * - per-label AUROC: for each label, the binary AUROC of its 0/1 truth against its score column;
 *   `labelAuroc` is the unweighted mean over labels. Departure: a label with no positive (or no
 *   negative) example is left out of the mean (sklearn, hence MedMNIST, raises there).
 * - label accuracy: the share of (example, label) cells where prediction and truth agree (MedMNIST
 *   thresholds scores at 0.5; here the predicted label set stands for the thresholded scores).
 * A generated answer is a label set written `a, b` ('normal' or '' = no label), as the MedMNIST
 * importer stores ChestMNIST targets.
 */

import { binaryAuroc } from './auroc';
import { normalizeAnswer } from './normalize';

/**
 * The labels named in `text` (comma-separated; labels that themselves hold commas are matched
 * whole). Unknown parts are dropped; 'normal' and '' are the empty set.
 */
export function parseLabelSet(text: string, labels: readonly string[]): Set<number> {
  const names = labels.map(normalizeAnswer);
  const parts = text.split(',').map((p) => normalizeAnswer(p));
  const out = new Set<number>();
  for (let i = 0; i < parts.length; ) {
    let matched = -1;
    let end = i;
    for (let j = parts.length - 1; j >= i && matched < 0; j--) {
      const k = names.indexOf(parts.slice(i, j + 1).join(', '));
      if (k >= 0) {
        matched = k;
        end = j;
      }
    }
    if (matched >= 0) out.add(matched);
    i = end + 1;
  }
  return out;
}

/** Per-label binary AUROC: `truth[i][c]` is 0 or 1, `scores[i][c]` the score of label c. */
export function perLabelAuroc(
  truth: readonly (readonly number[])[],
  scores: readonly (readonly number[])[],
): number[] {
  if (truth.length !== scores.length) throw new Error('label auroc: length mismatch');
  const k = truth[0]?.length ?? 0;
  return Array.from({ length: k }, (_, c) =>
    binaryAuroc(
      truth.map((row) => row[c] ?? 0),
      scores.map((row) => {
        const v = row[c];
        if (v === undefined) throw new Error('label auroc: ragged score matrix');
        return v;
      }),
    ),
  );
}

/** Mean of the per-label AUROCs that are defined (NaN when none is). */
export function labelAuroc(
  truth: readonly (readonly number[])[],
  scores: readonly (readonly number[])[],
): number {
  const defined = perLabelAuroc(truth, scores).filter((a) => !Number.isNaN(a));
  return defined.length === 0 ? Number.NaN : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** Share of (example, label) cells on which the predicted and the true label sets agree. */
export function labelAccuracy(
  truth: readonly Set<number>[],
  predicted: readonly Set<number>[],
  labelCount: number,
): number {
  if (truth.length !== predicted.length) throw new Error('label accuracy: length mismatch');
  if (truth.length === 0 || labelCount === 0) return Number.NaN;
  let agree = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    for (let c = 0; c < labelCount; c++) if (t.has(c) === p.has(c)) agree++;
  });
  return agree / (truth.length * labelCount);
}
