import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finalizeEvaluationMetrics } from '#main/jobs/evaluation-metrics';
import { freshWorkbench } from './test-workbench';

let wb: ReturnType<typeof freshWorkbench>;
beforeEach(() => {
  wb = freshWorkbench();
});
afterEach(() => wb.close());

/** Two runs' evaluations on the same 200 closed questions: A right on 150, B right on 100. */
function seed(): { a: string; b: string } {
  const { store } = wb;
  store.datasets.insert({
    id: 'd',
    name: 'D',
    format: 'demo',
    task: 'vqa',
    sourcePath: null,
    contentHash: 'h',
    synthetic: false,
    meta: {},
  });
  const exp = store.experiments.insert({ name: 'e', kind: 'finetune', config: {} });
  const ids: string[] = [];
  for (const name of ['a', 'b']) {
    const run = store.runs.insert({
      experimentId: exp.id,
      name,
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: 'd',
      config: {},
    });
    const ev = store.evaluations.insert({
      runId: run.id,
      experimentId: exp.id,
      checkpointId: null,
      checkpointPath: null,
      datasetId: 'd',
      split: 'test',
      mode: 'finetuned',
      decoding: { strategy: 'trie', beam: 1, maxLength: 8, noRepeatNgram: 0, lenpen: 1 },
    });
    ids.push(ev.id);
  }
  store.examples.insertMany(
    'd',
    Array.from({ length: 200 }, (_, i) => ({
      split: 'test' as const,
      ordinal: i,
      task: 'vqa',
      imageHash: null,
      inputs: {},
      target: 'yes',
      candidates: ['no', 'yes'],
      meta: { answerType: 'closed' },
    })),
  );
  const exampleIds = store.examples.list('d', 'test').map((e) => e.id);
  const rows = (right: number) =>
    Array.from({ length: 200 }, (_, i) => ({
      exampleId: exampleIds[i]!,
      source: 'q',
      prediction: i < right ? 'yes' : 'no',
      reference: 'yes',
      correct: i < right,
      score: null,
    }));
  store.predictions.append(ids[0]!, rows(150));
  store.predictions.append(ids[1]!, rows(100));
  for (const id of ids) {
    finalizeEvaluationMetrics(store, id);
    store.evaluations.update(id, { status: 'succeeded' });
  }
  return { a: ids[0]!, b: ids[1]! };
}

describe('evaluations.compare', () => {
  it('puts metrics side by side and runs a paired bootstrap test on the shared examples', async () => {
    const { a, b } = seed();
    const c = await wb.invoke('evaluations.compare', { ids: [a, b] });
    expect(c.pairedExamples).toBe(200);
    const acc = c.paired.find((p) => p.metric === 'accuracy')!;
    expect(acc.delta).toBeCloseTo(0.25, 10);
    expect(acc.deltaLow!).toBeGreaterThan(0);
    expect(acc.deltaHigh!).toBeGreaterThan(acc.deltaLow!);
    expect(acc.pValue!).toBeLessThan(0.01);
    // Reversed, B is not better than A.
    const r = await wb.invoke('evaluations.compare', { ids: [b, a] });
    expect(r.paired.find((p) => p.metric === 'accuracy')!.pValue!).toBeGreaterThan(0.99);
    expect(c.evaluations.map((e) => e.runName)).toEqual(['a', 'b']);
    expect(c.evaluations[0]?.metrics['accuracy']).toMatchObject({ estimate: 0.75, n: 200 });
  });
});
