/**
 * Ordinal-regression metric (RetinaMNIST: diabetic retinopathy grade 0-4): mean absolute error
 * between the predicted and the true grade, as sklearn's `mean_absolute_error` on grade indices.
 * A grade is the position of the answer in the ordered label list (or the answer read as a
 * number when no list is given). A prediction that names no grade counts as the largest possible
 * error (the distance from the true grade to the farther end of the scale), so a model cannot
 * lower its MAE by answering off-format.
 */

import { normalizeAnswer } from './normalize';

/** The grade index of an answer, or undefined when it names none. */
export function gradeOf(answer: string, labels?: readonly string[]): number | undefined {
  const a = normalizeAnswer(answer);
  if (labels && labels.length > 0) {
    const k = labels.map(normalizeAnswer).indexOf(a);
    return k >= 0 ? k : undefined;
  }
  const n = Number(a);
  return a !== '' && Number.isFinite(n) ? n : undefined;
}

/** MAE over examples; `labels` orders the grades (default: answers are numbers). */
export function meanAbsoluteError(
  predictions: readonly string[],
  references: readonly string[],
  labels?: readonly string[],
): number {
  if (predictions.length !== references.length) throw new Error('mae: length mismatch');
  const errors = perExampleAbsoluteError(predictions, references, labels).filter((e) => !Number.isNaN(e));
  return errors.length === 0 ? Number.NaN : errors.reduce((a, b) => a + b, 0) / errors.length;
}

/** |predicted grade - true grade| per example (NaN where the reference names no grade). */
export function perExampleAbsoluteError(
  predictions: readonly string[],
  references: readonly string[],
  labels?: readonly string[],
): number[] {
  const top = labels && labels.length > 0 ? labels.length - 1 : undefined;
  return references.map((ref, i) => {
    const y = gradeOf(ref, labels);
    if (y === undefined) return Number.NaN;
    const p = gradeOf(predictions[i] ?? '', labels);
    if (p !== undefined) return Math.abs(p - y);
    return top === undefined ? Number.NaN : Math.max(y, top - y);
  });
}
