import { describe, expect, it } from 'vitest';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { RunDetail } from '#shared/domain/run';
import { evaluationPipeline } from '#shared/evaluation-pipelines';
import { type CompareRun, headlineEvaluation, metricTable, scalingLines } from './compare-model';

const run = (
  id: string,
  scale: string,
  params: number,
  dataset = 'VQA-RAD',
  best: number | null = null,
): RunDetail =>
  ({
    id,
    name: `${dataset} ${scale}`,
    scale,
    params,
    datasetName: dataset,
    datasetId: dataset,
    bestMetricName: best === null ? null : 'accuracy',
    bestMetric: best,
  }) as RunDetail;

const evaluation = (split: 'test' | 'validation', acc: number, createdAt = '2026-01-01'): EvaluationSummary =>
  ({
    split,
    mode: 'finetuned',
    status: 'succeeded',
    createdAt,
    decoding: { strategy: 'trie', beam: 1, maxLength: 16, noRepeatNgram: 0, lenpen: 1 },
    pipeline: evaluationPipeline('vqa', 'released'),
    metrics: { accuracy: { estimate: acc, low: acc - 0.05, high: acc + 0.05, n: 100 } },
  }) as unknown as EvaluationSummary;

describe('compare model', () => {
  it('prefers the latest finished test evaluation', () => {
    const r: CompareRun = {
      run: run('a', 'cpu-xs', 1e6),
      evaluations: [
        evaluation('validation', 0.9, '2026-03-01'),
        evaluation('test', 0.5),
        evaluation('test', 0.6, '2026-02-01'),
      ],
    };
    expect(headlineEvaluation(r)?.metrics.accuracy?.estimate).toBe(0.6);
  });
  it('builds a table with intervals and the best per column, falling back to best metrics', () => {
    const t = metricTable([
      { run: run('a', 'cpu-xs', 1e6), evaluations: [evaluation('test', 0.5)] },
      { run: run('b', 'cpu-s', 4e6, 'VQA-RAD', 0.7), evaluations: [] },
    ]);
    expect(t.columns).toEqual(['Run', 'Scale', 'Dataset', 'Examples', 'Pipeline', 'accuracy']);
    // The example count each run was scored on (none known for a best metric without evaluation).
    expect(t.rows.map((r) => r[3])).toEqual(['100', '']);
    // How each figure was made: decoding, answer normalisation (none known without an evaluation).
    expect(t.rows.map((r) => r[4])).toEqual(['trie, max 16 · released: lower-cased, tabs stripped', '']);
    expect(t.rows.map((r) => r[5])).toEqual([0.5, 0.7]);
    expect(t.intervals?.[0]?.[5]).toEqual([0.45, 0.55]);
    expect(t.intervals?.[1]?.[5]).toBeNull();
    expect([...(t.best ?? [])]).toEqual(['1:5']);
  });
  it('names imported weights as the scale and gives a range when figures have fewer examples', () => {
    const e = evaluation('test', 0.5);
    const withClosed = {
      ...e,
      done: 50,
      metrics: { ...e.metrics, accuracy_closed: { estimate: 0.6, low: 0.5, high: 0.7, n: 30 } },
    } as EvaluationSummary;
    const r = {
      ...run('a', 'cpu-xs', 1e6),
      initWeights: { id: 'w', name: 'tiny published', preset: 'custom', params: 4e6 },
    } as RunDetail;
    const t = metricTable([{ run: r, evaluations: [withClosed] }]);
    expect(t.rows[0]?.slice(1, 4)).toEqual([
      'custom, from weights "tiny published"',
      'VQA-RAD',
      '100 (30 to 100 per figure)',
    ]);
  });
  it('draws one scaling line per dataset, sorted by parameters, seeds averaged', () => {
    const lines = scalingLines(
      [
        { run: run('a', 'cpu-s', 4e6, 'VQA-RAD', 0.6), evaluations: [] },
        { run: run('b', 'cpu-xs', 1e6, 'VQA-RAD', 0.4), evaluations: [] },
        { run: run('c', 'cpu-xs', 1e6, 'VQA-RAD', 0.5), evaluations: [] },
        { run: run('d', 'cpu-xs', 1e6, 'SLAKE', 0.3), evaluations: [] },
      ],
      'accuracy',
    );
    expect(lines).toEqual([
      { label: 'VQA-RAD', x: [1e6, 4e6], y: [0.45, 0.6] },
      { label: 'SLAKE', x: [1e6], y: [0.3] },
    ]);
  });
});
