/**
 * ROUGE-1, ROUGE-2 and ROUGE-L as Google's rouge-score package computes them
 * (`RougeScorer(['rouge1','rouge2','rougeL'], use_stemmer=True)`), which is what BiomedGPT's
 * MeQSum evaluation reports (spec §2.2: ROUGE-1/2/L F with a stemmer).
 *
 * - Tokenisation = `rouge_score.tokenize.tokenize`: lower-case, every run of characters outside
 *   `[a-z0-9]` becomes a space (so accented and non-Latin letters are dropped), split, stem tokens
 *   longer than 3 characters with nltk's Porter stemmer, drop empty tokens.
 * - ROUGE-N: clipped n-gram overlap; P = overlap / max(#pred n-grams, 1), R = overlap / max(#ref, 1).
 * - ROUGE-L: LCS length; P = LCS / |pred|, R = LCS / |ref|, all 0 if either side is empty.
 * - F = 2PR / (P + R), 0 when P + R = 0.
 * - Several references: `score_multi`, i.e. per ROUGE type the reference with the highest F
 *   (first one on ties).
 * - Corpus value: the mean of per-example scores (rouge-score's BootstrapAggregator "mid").
 */

import { createCachedStemmer } from './porter-stemmer';

/** Precision, recall and F-measure of one ROUGE type. */
export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

/** Scores of one example. */
export interface RougeScores {
  readonly rouge1: RougeScore;
  readonly rouge2: RougeScore;
  readonly rougeL: RougeScore;
}

/** Options shared by the ROUGE functions. */
export interface RougeOptions {
  /** Porter-stem tokens longer than 3 characters (rouge-score `use_stemmer`). Default true. */
  readonly useStemmer?: boolean;
}

const stem = createCachedStemmer();

/** rouge-score's tokenizer. */
export function rougeTokenize(text: string, useStemmer = true): string[] {
  const spaced = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
  return spaced
    .split(/\s+/)
    .map((t) => (useStemmer && t.length > 3 ? stem(t) : t))
    .filter((t) => /^[a-z0-9]+$/.test(t));
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** ROUGE-N between tokenised target and prediction. */
export function rougeN(target: readonly string[], prediction: readonly string[], n: number): RougeScore {
  const t = ngramCounts(target, n);
  const p = ngramCounts(prediction, n);
  let overlap = 0;
  for (const [g, c] of t) overlap += Math.min(c, p.get(g) ?? 0);
  const tCount = Math.max(0, target.length - n + 1);
  const pCount = Math.max(0, prediction.length - n + 1);
  const precision = overlap / Math.max(pCount, 1);
  const recall = overlap / Math.max(tCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Length of the longest common subsequence of two token lists. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** ROUGE-L (sentence-level LCS) between tokenised target and prediction. */
export function rougeL(target: readonly string[], prediction: readonly string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const lcs = lcsLength(target, prediction);
  const precision = lcs / prediction.length;
  const recall = lcs / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** rouge-score `score(target, prediction)` for rouge1, rouge2 and rougeL. */
export function rougeScore(target: string, prediction: string, options: RougeOptions = {}): RougeScores {
  const useStemmer = options.useStemmer ?? true;
  const t = rougeTokenize(target, useStemmer);
  const p = rougeTokenize(prediction, useStemmer);
  return { rouge1: rougeN(t, p, 1), rouge2: rougeN(t, p, 2), rougeL: rougeL(t, p) };
}

/** rouge-score `score_multi(targets, prediction)`: per type, the best-F reference. */
export function rougeScoreMulti(
  targets: readonly string[],
  prediction: string,
  options: RougeOptions = {},
): RougeScores {
  if (targets.length === 0) throw new Error('rouge: an example needs at least one reference');
  const all = targets.map((t) => rougeScore(t, prediction, options));
  const best = (key: keyof RougeScores): RougeScore =>
    all.reduce((a, b) => (b[key].fmeasure > a[key].fmeasure ? b : a))[key];
  return { rouge1: best('rouge1'), rouge2: best('rouge2'), rougeL: best('rougeL') };
}

/** Per-example ROUGE scores for a corpus. */
export function rougePerExample(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: RougeOptions = {},
): RougeScores[] {
  if (predictions.length !== references.length)
    throw new Error('rouge: predictions/references length mismatch');
  return predictions.map((p, i) => rougeScoreMulti(references[i]!, p, options));
}

/** Corpus ROUGE: the mean of per-example P, R and F for each type (0 for an empty corpus). */
export function rougeCorpus(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: RougeOptions = {},
): RougeScores {
  const per = rougePerExample(predictions, references, options);
  const mean = (key: keyof RougeScores): RougeScore => {
    const n = Math.max(per.length, 1);
    const sum = (f: keyof RougeScore): number => per.reduce((s, x) => s + x[key][f], 0) / n;
    return { precision: sum('precision'), recall: sum('recall'), fmeasure: sum('fmeasure') };
  };
  return { rouge1: mean('rouge1'), rouge2: mean('rouge2'), rougeL: mean('rougeL') };
}
