/**
 * BLEU as nltk 3.8's `nltk.translate.bleu_score` computes it, on pre-tokenised text.
 *
 * - `corpusBleu(refs, hyps, k)` = `corpus_bleu(refs, hyps, weights=(1/k,)*k)`: clipped n-gram
 *   counts summed over the corpus for orders 1..k (each sentence's denominator is at least 1),
 *   brevity penalty from the summed closest reference lengths (ties to the shorter reference),
 *   geometric mean with uniform weights.
 * - Without smoothing (nltk's method0) a zero n-gram precision is replaced by
 *   `sys.float_info.min`, so BLEU-k is ~1e-77..1e-154 rather than 0 - kept for fidelity. If there
 *   is no unigram match at all the score is exactly 0.
 * - `smoothing: 'method1'` is `SmoothingFunction().method1` (epsilon 0.1 added to zero numerators).
 * - `sentenceBleu` = nltk `sentence_bleu` (a one-sentence corpus).
 */

/** nltk's smoothing choices offered here. */
export type BleuSmoothing = 'none' | 'method1';

/** Options of the BLEU functions. */
export interface BleuOptions {
  /** Default 'none' (nltk's method0). */
  readonly smoothing?: BleuSmoothing;
  /** epsilon of method1, default 0.1 as in nltk. */
  readonly epsilon?: number;
}

/** Python's `sys.float_info.min`, nltk's stand-in for a zero precision. */
const FLOAT_MIN = 2.2250738585072014e-308;

/** Clipped n-gram numerator and denominator of one sentence (nltk `modified_precision`). */
export function modifiedPrecision(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  n: number,
): { numerator: number; denominator: number } {
  const counts = ngramCounts(hypothesis, n);
  const maxRef = new Map<string, number>();
  for (const reference of references) {
    const rc = ngramCounts(reference, n);
    for (const g of counts.keys()) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, rc.get(g) ?? 0));
  }
  let numerator = 0;
  let total = 0;
  for (const [g, c] of counts) {
    numerator += Math.min(c, maxRef.get(g) ?? 0);
    total += c;
  }
  return { numerator, denominator: Math.max(1, total) };
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  // NUL joins the tokens so that n-grams of different tokenisations cannot collide.
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** nltk `closest_ref_length`: the reference length closest to the hypothesis, shorter on ties. */
export function closestRefLength(references: readonly (readonly string[])[], hypLen: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const r of references) {
    const d = Math.abs(r.length - hypLen);
    const bd = Math.abs(best - hypLen);
    if (d < bd || (d === bd && r.length < best)) best = r.length;
  }
  return best;
}

/** nltk `brevity_penalty`. */
export function brevityPenalty(closestRefLen: number, hypLen: number): number {
  if (hypLen > closestRefLen) return 1;
  if (hypLen === 0) return 0;
  return Math.exp(1 - closestRefLen / hypLen);
}

/** Sufficient statistics of a corpus for BLEU up to order `maxN`. */
export interface BleuStats {
  readonly numerators: readonly number[];
  readonly denominators: readonly number[];
  readonly hypLength: number;
  readonly refLength: number;
}

/** Per-sentence BLEU statistics; sum them to get corpus statistics (useful for bootstrap). */
export function bleuSentenceStats(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  maxN = 4,
): BleuStats {
  if (references.length === 0) throw new Error('bleu: an example needs at least one reference');
  const numerators: number[] = [];
  const denominators: number[] = [];
  for (let n = 1; n <= maxN; n++) {
    const p = modifiedPrecision(references, hypothesis, n);
    numerators.push(p.numerator);
    denominators.push(p.denominator);
  }
  return {
    numerators,
    denominators,
    hypLength: hypothesis.length,
    refLength: closestRefLength(references, hypothesis.length),
  };
}

/** Sum per-sentence statistics. */
export function sumBleuStats(stats: readonly BleuStats[], maxN = 4): BleuStats {
  const numerators = new Array<number>(maxN).fill(0);
  const denominators = new Array<number>(maxN).fill(0);
  let hypLength = 0;
  let refLength = 0;
  for (const s of stats) {
    for (let i = 0; i < maxN; i++) {
      numerators[i]! += s.numerators[i] ?? 0;
      denominators[i]! += s.denominators[i] ?? 0;
    }
    hypLength += s.hypLength;
    refLength += s.refLength;
  }
  return { numerators, denominators, hypLength, refLength };
}

/** BLEU-`order` (uniform weights 1/order) from summed statistics. */
export function bleuFromStats(stats: BleuStats, order: number, options: BleuOptions = {}): number {
  if (!(order >= 1 && order <= stats.numerators.length)) throw new Error(`bleu: bad order ${order}`);
  if ((stats.numerators[0] ?? 0) === 0) return 0;
  const epsilon = options.epsilon ?? 0.1;
  const bp = brevityPenalty(stats.refLength, stats.hypLength);
  let logSum = 0;
  for (let i = 0; i < order; i++) {
    const num = stats.numerators[i]!;
    const den = stats.denominators[i]!;
    let p: number;
    if (num !== 0) p = num / den;
    else if (options.smoothing === 'method1') p = (num + epsilon) / den;
    else p = FLOAT_MIN;
    logSum += (1 / order) * Math.log(p);
  }
  return bp * Math.exp(logSum);
}

/** nltk `corpus_bleu` with uniform weights of the given order (1..4). */
export function corpusBleu(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  order = 4,
  options: BleuOptions = {},
): number {
  if (references.length !== hypotheses.length) throw new Error('bleu: references/hypotheses length mismatch');
  const stats = hypotheses.map((h, i) => bleuSentenceStats(references[i]!, h, order));
  return bleuFromStats(sumBleuStats(stats, order), order, options);
}

/** nltk `sentence_bleu` with uniform weights of the given order. */
export function sentenceBleu(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  order = 4,
  options: BleuOptions = {},
): number {
  return bleuFromStats(bleuSentenceStats(references, hypothesis, order), order, options);
}
