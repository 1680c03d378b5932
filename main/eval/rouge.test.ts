import { describe, expect, it } from 'vitest';
import type { RougeScore, RougeScores } from './rouge';
import { lcsLength, rougeCorpus, rougeL, rougeScoreMulti, rougeTokenize } from './rouge';
import { rougeLCoco, rougeLCocoExample } from './rouge-l-coco';
import type { TextItem } from './vectors/load-vectors';
import { loadVectors } from './vectors/load-vectors';

const v = loadVectors<{
  items: TextItem[];
  per_example: { stemmed: RougeScores; unstemmed: RougeScores; coco_rougeL: number }[];
  mean_fmeasure_stemmed: Record<'rouge1' | 'rouge2' | 'rougeL', number>;
  mean_coco_rougeL: number;
  hand_lcs: (RougeScore & { reference: string; prediction: string; lcs: number })[];
}>('rouge.json');

const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThan(1e-4);
const sameScores = (a: RougeScores, b: RougeScores): void => {
  for (const k of ['rouge1', 'rouge2', 'rougeL'] as const) {
    close(a[k].precision, b[k].precision);
    close(a[k].recall, b[k].recall);
    close(a[k].fmeasure, b[k].fmeasure);
  }
};

describe('ROUGE vs rouge-score (score_multi, Porter stemmer)', () => {
  it.each(v.items.map((x, i) => [i, x] as const))('example %i', (i, x) => {
    const ref = v.per_example[i]!;
    sameScores(rougeScoreMulti(x.references, x.prediction), ref.stemmed);
    sameScores(rougeScoreMulti(x.references, x.prediction, { useStemmer: false }), ref.unstemmed);
    close(rougeLCocoExample(x.prediction, x.references), ref.coco_rougeL);
  });
  it('corpus means', () => {
    const c = rougeCorpus(
      v.items.map((x) => x.prediction),
      v.items.map((x) => x.references),
    );
    close(c.rouge1.fmeasure, v.mean_fmeasure_stemmed.rouge1);
    close(c.rouge2.fmeasure, v.mean_fmeasure_stemmed.rouge2);
    close(c.rougeL.fmeasure, v.mean_fmeasure_stemmed.rougeL);
    close(
      rougeLCoco(
        v.items.map((x) => x.prediction),
        v.items.map((x) => x.references),
      ),
      v.mean_coco_rougeL,
    );
  });
});

describe('ROUGE-L hand-checked LCS cases', () => {
  it.each(v.hand_lcs.map((h) => [`${h.reference} | ${h.prediction}`, h] as const))('%s', (_, h) => {
    const t = rougeTokenize(h.reference, false);
    const p = rougeTokenize(h.prediction, false);
    expect(lcsLength(t, p)).toBe(h.lcs);
    const s = rougeL(t, p);
    close(s.precision, h.precision);
    close(s.recall, h.recall);
    close(s.fmeasure, h.fmeasure);
  });
});
