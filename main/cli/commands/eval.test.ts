import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '#main/services/context';
import { EvaluationSummary } from '#shared/domain/evaluation';
import { evaluationPipeline } from '#shared/evaluation-pipelines';
import { printEvaluations } from './eval';

const evaluation = (task: string, preset: 'released' | 'raw') =>
  EvaluationSummary.parse({
    id: `e-${task}-${preset}`,
    runId: null,
    experimentId: null,
    checkpointId: null,
    checkpointStep: null,
    weightsId: 'w1',
    weightsName: 'look-alike',
    datasetId: 'd1',
    datasetName: 'IU X-ray',
    split: 'test',
    mode: 'zeroshot',
    status: 'succeeded',
    decoding: { strategy: 'beam', beam: 10, maxLength: 100, noRepeatNgram: 3, lenpen: 1 },
    pipeline: evaluationPipeline(task, preset),
    metrics: { cider: { estimate: 0.5, low: 0.4, high: 0.6, n: 8 } },
    done: 8,
    total: 8,
    createdAt: '2026-12-07T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    error: null,
    logTail: '',
  });

describe('biomed eval table', () => {
  it('shows the decoding and the metric pipeline beside every figure, raw text apart', () => {
    const chunks: string[] = [];
    const io = { out: (t: string) => chunks.push(t), err: () => undefined, env: {} };
    printEvaluations(
      io,
      [evaluation('captioning', 'released'), evaluation('captioning', 'raw')],
      {} as ServiceContext,
    );
    const [head, released, raw] = chunks
      .join('')
      .trim()
      .split('\n')
      .filter((l) => !/^[-\s]+$/.test(l));
    expect(head).toMatch(/decoding\s+pipeline\s+n\s+cider \[95% CI\]/);
    expect(released).toContain('beam 10, max 100, no-repeat 3');
    expect(released).toContain('released: _bioclean + punct., ROUGE-L coco');
    expect(raw).toContain('raw text: ROUGE stemmer');
    expect(raw).not.toContain('_bioclean');
  });
});
