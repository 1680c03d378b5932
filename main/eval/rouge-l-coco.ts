/**
 * ROUGE-L as pycocoevalcap's `Rouge` scorer computes it. This is the "ROUGE-L" BiomedGPT reports
 * for captioning (scripts/caption/metric_caption.py), and it differs from rouge-score's:
 * tokens are `text.split(" ")` (single spaces, so empty strings from double spaces are tokens),
 * no stemming, precision and recall are maximised separately over references, and
 * F = (1 + β²)PR / (R + β²P) with β = 1.2. Corpus value = mean over examples.
 */

import { lcsLength } from './rouge';

const BETA = 1.2;

/** pycocoevalcap `Rouge.calc_score([candidate], refs)`. */
export function rougeLCocoExample(candidate: string, references: readonly string[]): number {
  if (references.length === 0) throw new Error('rougeL_coco: an example needs at least one reference');
  const c = candidate.split(' ');
  let pMax = 0;
  let rMax = 0;
  for (const reference of references) {
    const r = reference.split(' ');
    const lcs = lcsLength(r, c);
    pMax = Math.max(pMax, lcs / c.length);
    rMax = Math.max(rMax, lcs / r.length);
  }
  if (pMax === 0 || rMax === 0) return 0;
  return ((1 + BETA ** 2) * pMax * rMax) / (rMax + BETA ** 2 * pMax);
}

/** Per-example pycocoevalcap ROUGE-L. */
export function rougeLCocoPerExample(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
): number[] {
  if (predictions.length !== references.length) throw new Error('rougeL_coco: length mismatch');
  return predictions.map((p, i) => rougeLCocoExample(p, references[i]!));
}

/** Corpus pycocoevalcap ROUGE-L: the mean of per-example scores (0 for an empty corpus). */
export function rougeLCoco(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
): number {
  const per = rougeLCocoPerExample(predictions, references);
  return per.length === 0 ? 0 : per.reduce((a, b) => a + b, 0) / per.length;
}
