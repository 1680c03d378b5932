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
