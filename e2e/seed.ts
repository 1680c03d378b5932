import { openWorkbench } from '#main/services/open';

/** Inserts a run through the services into a data folder the app has open (WAL allows it). */
export function insertRun(home: string, name: string): string {
  const ctx = openWorkbench(home, 'browser');
  try {
    const exp = ctx.store.experiments.insert({
      name: `${name} experiment`,
      kind: 'finetune',
      config: { lr: 5e-5 },
    });
    const run = ctx.store.runs.insert({
      experimentId: exp.id,
      name,
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: null,
      config: { lr: 5e-5 },
      status: 'succeeded',
    });
    ctx.store.runs.update(run.id, { bestMetricName: 'accuracy', bestMetric: 0.625 });
    return run.id;
  } finally {
    ctx.close();
  }
}

/** Reads a run's stored note straight from the store. */
export function storedNote(home: string, runId: string): string | undefined {
  const ctx = openWorkbench(home, 'browser');
  try {
    return ctx.store.runs.get(runId)?.note;
  } finally {
    ctx.close();
  }
}

/**
 * Two finished runs on a dataset named VQA-RAD (no examples), each with a succeeded test
 * evaluation carrying an accuracy, so Compare and its scaling view have something to show.
 */
export function insertComparableRuns(home: string): string[] {
  const ctx = openWorkbench(home, 'browser');
  try {
    ctx.store.datasets.insert({
      id: 'seed-vqa-rad',
      name: 'VQA-RAD',
      format: 'vqa-rad',
      task: 'vqa',
      sourcePath: null,
      contentHash: 'seed-vqa-rad',
      synthetic: false,
      meta: {},
    });
    const exp = ctx.store.experiments.insert({ name: 'seeded', kind: 'finetune', config: {} });
    return (
      [
        ['seeded cpu-xs', 'cpu-xs', 400_000, 0.41],
        ['seeded cpu-s', 'cpu-s', 2_500_000, 0.46],
      ] as const
    ).map(([name, scale, params, accuracy]) => {
      const run = ctx.store.runs.insert({
        experimentId: exp.id,
        name,
        scale,
        task: 'vqa',
        datasetId: 'seed-vqa-rad',
        config: {},
        status: 'succeeded',
        params,
      });
      const ev = ctx.store.evaluations.insert({
        runId: run.id,
        experimentId: exp.id,
        checkpointId: null,
        checkpointPath: null,
        datasetId: 'seed-vqa-rad',
        split: 'test',
        mode: 'finetuned',
        decoding: { strategy: 'trie', beam: 1, maxLength: 16, noRepeatNgram: 0, lenpen: 1 },
      });
      ctx.store.evaluations.update(ev.id, {
        status: 'succeeded',
        metrics: { accuracy: { estimate: accuracy, low: accuracy - 0.04, high: accuracy + 0.04, n: 451 } },
      });
      return run.id;
    });
  } finally {
    ctx.close();
  }
}
