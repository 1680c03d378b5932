/**
 * CIDEr-D as pycocoevalcap's `Cider` / `CiderScorer` computes it (n = 4, sigma = 6), the
 * captioning metric BiomedGPT reports (scripts/caption/metric_caption.py).
 *
 * - Tokens: `s.split()` (Python whitespace); no other tokenisation (BiomedGPT passes bioclean'd
 *   strings straight in, without the PTB tokenizer).
 * - Document frequency df(g): the number of examples whose references contain n-gram g,
 *   computed from the references of the evaluated corpus; idf = log(#examples) - log(max(1, df)).
 * - Per order n, a tf-idf vector per sentence; similarity = Σ min(h_g, r_g) · r_g / (‖h‖‖r‖)
 *   (the "clipping" of CIDEr-D; left undivided when either norm is 0), times the Gaussian length
 *   penalty exp(-(ℓh - ℓr)² / (2σ²)). Faithful quirk: pycocoevalcap's length ℓ is the number of
 *   *bigrams* of the sentence, not its word count (the difference only shows for empty
 *   sentences, whose similarity is 0 anyway).
 * - Example score = 10 · mean over n of (Σ over references of the similarity) / #references.
 * - Corpus score = mean over examples. NaN when no reference has any n-gram (pycocoevalcap
 *   returns NaN there too).
 */

import { splitWhitespace } from './normalize';

/** CIDEr-D parameters. */
export interface CiderOptions {
  readonly n?: number;
  readonly sigma?: number;
}

/** Corpus score and per-example scores. */
export interface CiderResult {
  readonly score: number;
  readonly perExample: readonly number[];
}

type Counts = Map<string, { order: number; count: number }>;

function precook(sentence: string, n: number): Counts {
  const words = splitWhitespace(sentence);
  const counts: Counts = new Map();
  for (let k = 1; k <= n; k++) {
    for (let i = 0; i + k <= words.length; i++) {
      const key = words.slice(i, i + k).join('\u0000');
      const e = counts.get(key);
      if (e) e.count++;
      else counts.set(key, { order: k - 1, count: 1 });
    }
  }
  return counts;
}

interface Vec {
  readonly vec: Map<string, number>[];
  readonly norm: number[];
  readonly length: number;
}

/** pycocoevalcap CIDEr-D over a corpus of (prediction, references) pairs. */
export function ciderD(
  predictions: readonly string[],
  references: readonly (readonly string[])[],
  options: CiderOptions = {},
): CiderResult {
  const n = options.n ?? 4;
  const sigma = options.sigma ?? 6;
  if (predictions.length !== references.length) throw new Error('cider: length mismatch');
  const crefs = references.map((refs) => {
    if (refs.length === 0) throw new Error('cider: an example needs at least one reference');
    return refs.map((r) => precook(r, n));
  });
  const ctest = predictions.map((p) => precook(p, n));

  const df = new Map<string, number>();
  for (const refs of crefs) {
    const seen = new Set<string>();
    for (const ref of refs) for (const g of ref.keys()) seen.add(g);
    for (const g of seen) df.set(g, (df.get(g) ?? 0) + 1);
  }
  let maxDf = 0;
  for (const v of df.values()) maxDf = Math.max(maxDf, v);
  if (df.size === 0 || ctest.length < maxDf) {
    return { score: Number.NaN, perExample: predictions.map(() => Number.NaN) };
  }
  const refLen = Math.log(crefs.length);

  const toVec = (counts: Counts): Vec => {
    const vec = Array.from({ length: n }, () => new Map<string, number>());
    const norm = new Array<number>(n).fill(0);
    let length = 0;
    for (const [g, { order, count }] of counts) {
      const w = count * (refLen - Math.log(Math.max(1, df.get(g) ?? 0)));
      vec[order]!.set(g, w);
      norm[order]! += w * w;
      if (order === 1) length += count;
    }
    return { vec, norm: norm.map(Math.sqrt), length };
  };

  const sim = (h: Vec, r: Vec): number[] => {
    const delta = h.length - r.length;
    const val = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) {
      for (const [g, hv] of h.vec[k]!) {
        const rv = r.vec[k]!.get(g) ?? 0;
        val[k]! += Math.min(hv, rv) * rv;
      }
      if (h.norm[k] !== 0 && r.norm[k] !== 0) val[k]! /= h.norm[k]! * r.norm[k]!;
      val[k]! *= Math.exp(-(delta * delta) / (2 * sigma * sigma));
    }
    return val;
  };

  const perExample = ctest.map((test, i) => {
    const h = toVec(test);
    const refs = crefs[i]!;
    const sum = new Array<number>(n).fill(0);
    for (const ref of refs) {
      const s = sim(h, toVec(ref));
      for (let k = 0; k < n; k++) sum[k]! += s[k]!;
    }
    const mean = sum.reduce((a, b) => a + b, 0) / n;
    return (mean / refs.length) * 10;
  });
  const score = perExample.reduce((a, b) => a + b, 0) / Math.max(perExample.length, 1);
  return { score, perExample };
}
