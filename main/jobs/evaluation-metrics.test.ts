import { describe, expect, it } from 'vitest';
import { computeEvaluationMetrics, datasetMetricsOf } from './evaluation-metrics';

const row = (prediction: string, reference: string, candidates: string[] | null = null) => ({
  exampleId: 0,
  prediction,
  reference,
  answerType: 'closed',
  candidates,
  scores: null,
});

describe('dataset metrics in evaluations (MedMNIST multi-label and ordinal subsets)', () => {
  it('ChestMNIST: label_accuracy over the stored label names; label_auroc left out without per-label scores', () => {
    const labels = ['atelectasis', 'cardiomegaly', 'effusion'];
    const dataset = datasetMetricsOf({ metrics: ['label_accuracy', 'label_auroc'], labelNames: labels });
    const m = computeEvaluationMetrics(
      'image_classification',
      'finetuned',
      [row('effusion', 'atelectasis, effusion'), row('normal', 'normal')],
      dataset,
    );
    expect(m['label_accuracy']?.estimate).toBeCloseTo(5 / 6, 10); // one of six cells wrong
    expect(m['label_auroc']).toBeUndefined();
    expect(m['accuracy']?.estimate).toBe(0.5);
  });

  it('RetinaMNIST: MAE over the ordered grades', () => {
    const grades = ['0', '1', '2', '3', '4'];
    const m = computeEvaluationMetrics(
      'image_classification',
      'finetuned',
      [row('1', '3', grades), row('4', '4', grades), row('0', '2', grades)],
      datasetMetricsOf({ metrics: ['mae'], labelNames: grades }),
    );
    expect(m['mae']?.estimate).toBeCloseTo(4 / 3, 10);
  });

  it('ignores metadata that is not a list of strings', () => {
    expect(datasetMetricsOf({ metrics: 'mae', labelNames: [1, 2] })).toEqual({});
    expect(datasetMetricsOf(undefined)).toEqual({});
  });
});
