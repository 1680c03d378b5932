import { describe, expect, it } from 'vitest';
import { computeMetrics, pairedBootstrapMetrics } from './index';
import { labelAccuracy, labelAuroc, parseLabelSet, perLabelAuroc } from './multilabel';
import { meanAbsoluteError } from './ordinal';

// Hand-checked values: each AUROC is the share of (positive, negative) score pairs ordered
// correctly, ties counting 1/2 (sklearn's roc_auc_score, checked against its vectors in auroc.test).
describe('multi-label metrics (ChestMNIST)', () => {
  const truth = [
    [1, 0, 1],
    [0, 0, 1],
    [1, 0, 0],
    [0, 0, 0],
  ];
  const scores = [
    [0.9, 0.2, 0.8],
    [0.1, 0.3, 0.3],
    [0.4, 0.1, 0.3],
    [0.6, 0.5, 0.2],
  ];

  it('per-label AUROC by hand: 3/4, undefined (no positive), 3.5/4; the mean skips the undefined label', () => {
    const per = perLabelAuroc(truth, scores);
    expect(per[0]).toBeCloseTo(0.75, 10);
    expect(per[1]).toBeNaN();
    expect(per[2]).toBeCloseTo(0.875, 10);
    expect(labelAuroc(truth, scores)).toBeCloseTo(0.8125, 10);
  });

  it('label sets parsed from generated text; labels holding commas matched whole', () => {
    const labels = ['atelectasis', 'cardiomegaly', 'effusion'];
    expect([...parseLabelSet('Effusion, atelectasis.', labels)].sort()).toEqual([0, 2]);
    expect(parseLabelSet('normal', labels).size).toBe(0);
    expect([...parseLabelSet('cardiomegaly, something else', labels)]).toEqual([1]);
    expect([...parseLabelSet('normal, benign', ['malignant', 'normal, benign'])]).toEqual([1]);
  });

  it('label accuracy by hand: 10 of 12 cells agree', () => {
    const labels = ['a', 'b', 'c'];
    const t = ['a, c', 'normal', 'a', 'c'].map((x) => parseLabelSet(x, labels));
    const p = ['a, c', '', 'b', 'c, unknown'].map((x) => parseLabelSet(x, labels));
    expect(labelAccuracy(t, p, 3)).toBeCloseTo(10 / 12, 10);
  });

  it('through computeMetrics: label_auroc from labelScores, label_accuracy from the text', () => {
    const labels = ['atelectasis', 'cardiomegaly', 'effusion'];
    const refs = ['atelectasis, effusion', 'effusion', 'atelectasis', 'normal'];
    const m = computeMetrics(['label_auroc', 'label_accuracy'], refs, refs, {
      classLabels: labels,
      labelScores: scores,
    });
    expect(m.label_auroc).toBeCloseTo(0.8125, 10);
    expect(m.label_accuracy).toBe(1);
    expect(computeMetrics(['label_auroc'], refs, refs, { classLabels: labels }).label_auroc).toBeNaN();
  });
});

describe('ordinal MAE (RetinaMNIST)', () => {
  const labels = ['0', '1', '2', '3', '4'];
  it('by hand: |0-0| + |3-2| + |1-4| + off-scale at grade 1 (max(1, 3) = 3) over 4 = 1.75', () => {
    expect(meanAbsoluteError(['0', '3', '1', 'banana'], ['0', '2', '4', '1'], labels)).toBeCloseTo(1.75, 10);
    expect(
      computeMetrics(['mae'], ['0', '3', '1', 'banana'], ['0', '2', '4', '1'], { classLabels: labels }).mae,
    ).toBeCloseTo(1.75, 10);
    expect(meanAbsoluteError(['2', '4'], ['1', '1'])).toBe(2); // numbers without a label list
  });

  it('the paired test treats lower MAE as better', () => {
    const refs = ['0', '1', '2', '3', '4', '0', '1', '2'];
    const good = refs;
    const bad = ['4', '4', '0', '0', '0', '4', '4', '0'];
    const r = pairedBootstrapMetrics(
      ['mae'],
      good,
      bad,
      refs,
      { classLabels: labels },
      { samples: 200, seed: 1 },
    );
    expect(r.mae!.delta).toBeLessThan(0);
    expect(r.mae!.pValue).toBe(0);
  });
});
