import { describe, expect, it } from 'vitest';
import { bootstrapMetrics, computeMetrics, METRIC_IDS, pairedBootstrapMetrics } from './index';
import type { TextItem } from './vectors/load-vectors';
import { loadVectors } from './vectors/load-vectors';

const close = (a: number | undefined, b: number): void =>
  expect(Math.abs((a ?? Number.NaN) - b)).toBeLessThan(1e-4);

describe('computeMetrics registry', () => {
  it('text-generation ids agree with the vectors', () => {
    const bleu = loadVectors<{ items: TextItem[]; corpus: Record<string, number> }>('bleu.json');
    const rouge = loadVectors<{ mean_fmeasure_stemmed: Record<string, number>; mean_coco_rougeL: number }>(
      'rouge.json',
    );
    const meteor = loadVectors<{ mean_wordnet: number }>('meteor.json');
    const cider = loadVectors<{ cider: number }>('cider.json');
    const m = computeMetrics(
      ['bleu1', 'bleu2', 'bleu3', 'bleu4', 'rouge1', 'rouge2', 'rougeL', 'rougeL_coco', 'meteor', 'cider'],
      bleu.items.map((x) => x.prediction),
      bleu.items.map((x) => x.references),
    );
    for (const k of [1, 2, 3, 4] as const) close(m[`bleu${k}`], bleu.corpus[`bleu${k}`]!);
    close(m.rouge1, rouge.mean_fmeasure_stemmed['rouge1']!);
    close(m.rouge2, rouge.mean_fmeasure_stemmed['rouge2']!);
    close(m.rougeL, rouge.mean_fmeasure_stemmed['rougeL']!);
    close(m.rougeL_coco, rouge.mean_coco_rougeL);
    close(m.meteor, meteor.mean_wordnet);
    close(m.cider, cider.cider);
  });
  it('applies bioclean before CIDEr when asked', () => {
    const v = loadVectors<{ items: TextItem[]; bioclean_cider: number }>('cider.json');
    const m = computeMetrics(
      ['cider'],
      v.items.map((x) => x.prediction),
      v.items.map((x) => x.references),
      { textNormalization: 'bioclean' },
    );
    close(m.cider, v.bioclean_cider);
  });
  it('VQA accuracy split, macro-F1, AUROC, alignment', () => {
    const m = computeMetrics(
      ['accuracy', 'accuracy_closed', 'accuracy_open', 'macro_f1', 'alignment_accuracy'],
      ['Yes', 'no', 'left lung', 'kidney'],
      ['yes', ['yes'], ['left lung', 'left lobe'], 'liver'],
      { answerTypes: ['CLOSED', 'CLOSED ', 'OPEN', 'OPEN'], alignment: { kind: 'free_text' } },
    );
    expect(m).toEqual({
      accuracy: 0.5,
      accuracy_closed: 0.5,
      accuracy_open: 0.5,
      // labels yes, no, left lung, kidney, liver: F1 = 2/3, 0, 1, 0, 0
      macro_f1: (2 / 3 + 1) / 5,
      alignment_accuracy: 1,
    });
    const auc = computeMetrics(['auroc'], ['no', 'yes', 'yes', 'no'], ['no', 'yes', 'no', 'yes'], {
      classLabels: ['no', 'yes'],
      scores: [
        [0.9, 0.1],
        [0.2, 0.8],
        [0.4, 0.6],
        [0.6, 0.4],
      ],
    });
    close(auc.auroc, 0.75);
  });
  it('rejects unknown ids and reports NaN for missing extras', () => {
    expect(() => computeMetrics(['bleu5'], [], [])).toThrow(/unknown metric/);
    const m = computeMetrics(['accuracy_closed', 'auroc', 'alignment_accuracy'], ['a'], ['a']);
    expect(m.accuracy_closed).toBeNaN();
    expect(m.auroc).toBeNaN();
    expect(m.alignment_accuracy).toBeNaN();
    expect(METRIC_IDS).toContain('cider');
  });
  it('bootstrapMetrics brackets each estimate', () => {
    const v = loadVectors<{ items: TextItem[] }>('bleu.json');
    const names = ['bleu4', 'rougeL', 'meteor', 'cider', 'accuracy'] as const;
    const preds = v.items.map((x) => x.prediction);
    const refs = v.items.map((x) => x.references);
    const point = computeMetrics(names, preds, refs);
    const cis = bootstrapMetrics(names, preds, refs, {}, { samples: 200, seed: 1 });
    for (const n of names) {
      const ci = cis[n]!;
      expect(ci.estimate).toBe(point[n]);
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThan(ci.low);
    }
  });
  it('pairedBootstrapMetrics prefers the system that matches the references', () => {
    const v = loadVectors<{ items: TextItem[] }>('bleu.json');
    const refs = v.items.map((x) => x.references);
    const good = v.items.map((x) => x.references[0]!);
    const poor = v.items.map((x) => x.prediction);
    const r = pairedBootstrapMetrics(['bleu4', 'rougeL', 'cider'], good, poor, refs, {}, { samples: 300 });
    for (const k of ['bleu4', 'rougeL', 'cider'] as const) {
      expect(r[k]!.delta).toBeGreaterThan(0);
      expect(r[k]!.pValue).toBeLessThan(0.05);
    }
    const back = pairedBootstrapMetrics(['rougeL'], poor, good, refs, {}, { samples: 300 });
    expect(back.rougeL!.pValue).toBeGreaterThan(0.95);
  });
});
