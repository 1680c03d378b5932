/**
 * METEOR as nltk 3.8's `nltk.translate.meteor_score.meteor_score` computes it (alpha 0.9,
 * beta 3, gamma 0.5), on pre-tokenised text lower-cased with `str.lower`.
 *
 * Stages, applied in nltk's order and with nltk's greedy right-to-left matching:
 *   1. exact match;
 *   2. Porter-stem match (nltk's PorterStemmer, see porter-stemmer.ts) of what is left;
 *   3. WordNet synonym match of what is left - ONLY when a {@link SynonymLookup} is passed.
 *      As in nltk, stage 3 looks up the *stemmed* leftovers of stage 2: a hypothesis word w
 *      matches a reference word r when r is w itself or a WordNet lemma name (without "_") of
 *      any synset of w (`wordnet.synsets(w)`, all parts of speech, with morphy).
 * Without a lookup the score equals nltk's with a WordNet stub that has no synsets
 * (vectors/meteor.json `exact_stem`); with `loadWordNet()` (wordnet.ts) over the WordNet 3.0
 * database it equals nltk's with its WordNet corpus (vectors/meteor.json `wordnet`).
 *
 * Score per reference: P = m/|hyp|, R = m/|ref|, Fmean = PR / (αP + (1-α)R),
 * penalty = γ (chunks/m)^β, score = (1 - penalty) Fmean; 0 if m = 0 or either side is empty.
 * Several references: the maximum. Corpus value: the mean over examples.
 */

import { createCachedStemmer } from './porter-stemmer';

/** All single-word synonyms of a word (nltk: lemma names of `wordnet.synsets(word)`). */
export type SynonymLookup = (word: string) => ReadonlySet<string>;

/** METEOR parameters. */
export interface MeteorOptions {
  readonly alpha?: number;
  readonly beta?: number;
  readonly gamma?: number;
  /** Enables stage 3. Absent: exact + stem stages only. */
  readonly synonyms?: SynonymLookup;
}

type Enum = [index: number, word: string];
type Match = readonly [hypIndex: number, refIndex: number];

const stem = createCachedStemmer();

/** nltk `_match_enums`: greedy from the end of both lists; removes matched entries in place. */
function matchEnums(hyp: Enum[], ref: Enum[], same: (h: string, r: string) => boolean): Match[] {
  const matches: Match[] = [];
  for (let i = hyp.length - 1; i >= 0; i--) {
    for (let j = ref.length - 1; j >= 0; j--) {
      if (same(hyp[i]![1], ref[j]![1])) {
        matches.push([hyp[i]![0], ref[j]![0]]);
        hyp.splice(i, 1);
        ref.splice(j, 1);
        break;
      }
    }
  }
  return matches;
}

function align(
  hypothesis: readonly string[],
  reference: readonly string[],
  synonyms?: SynonymLookup,
): Match[] {
  let hyp: Enum[] = hypothesis.map((w, i) => [i, w.toLowerCase()]);
  let ref: Enum[] = reference.map((w, i) => [i, w.toLowerCase()]);
  const exact = matchEnums(hyp, ref, (a, b) => a === b);
  hyp = hyp.map(([i, w]) => [i, stem(w)]);
  ref = ref.map(([i, w]) => [i, stem(w)]);
  const stemmed = matchEnums(hyp, ref, (a, b) => a === b);
  let syn: Match[] = [];
  if (synonyms) {
    syn = matchEnums(hyp, ref, (h, r) => h === r || synonyms(h).has(r));
  }
  // Python's sorted() is stable: equal hypothesis indices cannot occur, so order by it alone.
  return [...exact, ...stemmed, ...syn].sort((a, b) => a[0] - b[0]);
}

/** nltk `_count_chunks` over matches sorted by hypothesis index. */
function countChunks(matches: readonly Match[]): number {
  let chunks = 1;
  for (let i = 0; i < matches.length - 1; i++) {
    const a = matches[i]!;
    const b = matches[i + 1]!;
    if (!(b[0] === a[0] + 1 && b[1] === a[1] + 1)) chunks++;
  }
  return chunks;
}

/** nltk `single_meteor_score(reference, hypothesis)`. */
export function singleMeteor(
  reference: readonly string[],
  hypothesis: readonly string[],
  options: MeteorOptions = {},
): number {
  const alpha = options.alpha ?? 0.9;
  const beta = options.beta ?? 3;
  const gamma = options.gamma ?? 0.5;
  const matches = align(hypothesis, reference, options.synonyms);
  const m = matches.length;
  if (m === 0 || hypothesis.length === 0 || reference.length === 0) return 0;
  const precision = m / hypothesis.length;
  const recall = m / reference.length;
  const fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall);
  const penalty = gamma * (countChunks(matches) / m) ** beta;
  return (1 - penalty) * fmean;
}

/** nltk `meteor_score(references, hypothesis)`: the best score over references. */
export function meteorScore(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  options: MeteorOptions = {},
): number {
  if (references.length === 0) throw new Error('meteor: an example needs at least one reference');
  return Math.max(...references.map((r) => singleMeteor(r, hypothesis, options)));
}

/** Per-example METEOR. */
export function meteorPerExample(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  options: MeteorOptions = {},
): number[] {
  if (references.length !== hypotheses.length) throw new Error('meteor: length mismatch');
  return hypotheses.map((h, i) => meteorScore(references[i]!, h, options));
}

/** Corpus METEOR: the mean of per-example scores (0 for an empty corpus). */
export function meteorCorpus(
  references: readonly (readonly (readonly string[])[])[],
  hypotheses: readonly (readonly string[])[],
  options: MeteorOptions = {},
): number {
  const per = meteorPerExample(references, hypotheses, options);
  return per.length === 0 ? 0 : per.reduce((a, b) => a + b, 0) / per.length;
}
