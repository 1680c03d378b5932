/**
 * Exact-match accuracy, the VQA metric of BiomedGPT (spec §3): an answer scores 1 when its
 * normalised form ({@link normalizeAnswer}) equals the normalised form of any reference, else 0.
 * (BiomedGPT's `ref_dict.get(answer, 0)` would give a reference's confidence; every VQA-RAD,
 * SLAKE and PathVQA reference has confidence 1, so the two agree.) VQA splits by answer type:
 * CLOSED (yes/no and other fixed-choice questions) and OPEN.
 */

import { type AnswerNormalization, normalizeAnswer, normalizeAnswerType, scriptAnswer } from './normalize';

/** Accuracy overall and per answer type, with the counts behind each figure. */
export interface ExactMatchResult {
  /** Share of correct answers over all examples (NaN for no examples). */
  readonly overall: number;
  /** Share among CLOSED questions (NaN when there are none). */
  readonly closed: number;
  /** Share among OPEN questions (NaN when there are none). */
  readonly open: number;
  readonly n: number;
  readonly nClosed: number;
  readonly nOpen: number;
  /** 1 or 0 per example, in input order. */
  readonly perExample: readonly number[];
}

/** 1 when `prediction` matches any of `references` after normalisation (the workbench's by default). */
export function exactMatch(
  prediction: string,
  references: readonly string[],
  norm: AnswerNormalization = 'workbench',
): number {
  if (norm === 'biomedgpt') {
    const p = scriptAnswer(prediction, true);
    return references.some((r) => scriptAnswer(r, false) === p) ? 1 : 0;
  }
  const p = normalizeAnswer(prediction);
  return references.some((r) => normalizeAnswer(r) === p) ? 1 : 0;
}

const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Exact-match accuracy of a corpus. `answerTypes` (optional, one per example) is compared after
 * trimming and upper-casing, so VQA-RAD's "CLOSED " counts as CLOSED; types other than CLOSED
 * and OPEN count only in `overall`.
 */
export function exactMatchAccuracy(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  answerTypes?: readonly string[],
): ExactMatchResult {
  if (predictions.length !== references.length) throw new Error('exact match: length mismatch');
  if (answerTypes && answerTypes.length !== predictions.length) {
    throw new Error('exact match: answerTypes length mismatch');
  }
  const perExample = predictions.map((p, i) => exactMatch(p, references[i]!));
  const types = answerTypes?.map(normalizeAnswerType) ?? [];
  const closed = perExample.filter((_, i) => types[i] === 'CLOSED');
  const open = perExample.filter((_, i) => types[i] === 'OPEN');
  return {
    overall: mean(perExample),
    closed: mean(closed),
    open: mean(open),
    n: perExample.length,
    nClosed: closed.length,
    nOpen: open.length,
    perExample,
  };
}
