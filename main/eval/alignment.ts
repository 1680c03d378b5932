/**
 * Alignment ("context-related") accuracy for zero-shot runs: the share of answers that are in
 * scope for their question, whether or not they are correct. BiomedGPT's instruction-tuning
 * figure reports it without a published protocol (spec §2.3), so the workbench defines it per
 * answer format, on answers normalised with {@link normalizeAnswer}:
 *
 * - `candidates`: the answer is one of the candidate answers (closed sets, class names);
 * - `yes_no`: the answer is "yes" or "no" (VQA CLOSED yes/no questions);
 * - `yes_no_maybe`: the answer is "yes", "no" or "maybe" (PubMedQA, MedNLI as BiomedGPT words it);
 * - `free_text`: the answer has at least one letter or digit and at most `maxWords` words
 *   (default 32, BiomedGPT's caption/VQA generation budget).
 */

import { normalizeAnswer, splitWhitespace } from './normalize';

/** What an in-scope answer looks like for one question. */
export type AlignmentSpec =
  | { readonly kind: 'candidates'; readonly candidates: readonly string[] }
  | { readonly kind: 'yes_no' }
  | { readonly kind: 'yes_no_maybe' }
  | { readonly kind: 'free_text'; readonly maxWords?: number };

const YES_NO = new Set(['yes', 'no']);
const YES_NO_MAYBE = new Set(['yes', 'no', 'maybe']);

/** Whether one answer is in scope. */
export function isAligned(answer: string, spec: AlignmentSpec): boolean {
  const a = normalizeAnswer(answer);
  switch (spec.kind) {
    case 'candidates':
      return spec.candidates.some((c) => normalizeAnswer(c) === a);
    case 'yes_no':
      return YES_NO.has(a);
    case 'yes_no_maybe':
      return YES_NO_MAYBE.has(a);
    case 'free_text':
      return /[\p{L}\p{N}]/u.test(a) && splitWhitespace(a).length <= (spec.maxWords ?? 32);
  }
}

/**
 * Alignment accuracy: `specs` is one spec for all answers or one per answer.
 * NaN for no answers.
 */
export function alignmentAccuracy(
  answers: readonly string[],
  specs: AlignmentSpec | readonly AlignmentSpec[],
): number {
  if (answers.length === 0) return Number.NaN;
  const per = (i: number): AlignmentSpec => {
    if (!Array.isArray(specs)) return specs as AlignmentSpec;
    const s = (specs as readonly AlignmentSpec[])[i];
    if (!s) throw new Error('alignment: one spec per answer expected');
    return s;
  };
  let hits = 0;
  answers.forEach((a, i) => {
    if (isAligned(a, per(i))) hits++;
  });
  return hits / answers.length;
}
