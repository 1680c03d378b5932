import { openWorkbench } from '#main/services/open';

/** Inserts a run through the services into a data folder the app has open (WAL allows it). */
export function insertRun(home: string, name: string, status: 'succeeded' | 'paused' = 'succeeded'): string {
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
      status,
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

/** What {@link seedWeightsWork} made. */
export interface WeightsWork {
  readonly weightsId: string;
  readonly datasetId: string;
  /** Two finished runs that started from the weights, scored on 50 and 30 test examples. */
  readonly runIds: readonly [string, string];
}

/**
 * Imported custom-shape weights (`file`, written by PyTorch with its dict.txt) and what a lab does
 * with them, stored through the services: a zero-shot evaluation of the weights on the VQA demo
 * with three predictions (two right, one wrong; closed and open), a fine-tuned "trie" evaluation
 * of a run on the same data (which the weights' table must not list), and two runs started from
 * the weights with test evaluations on 50 and 30 examples.
 */
export async function seedWeightsWork(home: string, file: string): Promise<WeightsWork> {
  const ctx = openWorkbench(home, 'browser');
  try {
    const imported = await ctx.invoke('weights.import', { path: file, name: 'tiny published' });
    const weightsId = imported.record?.id ?? '';
    const demo = ctx.store.datasets.list().find((d) => d.name === 'Demo: chest phantoms (counting VQA)');
    if (!demo) throw new Error('the VQA demo dataset is missing');
    const examples = ctx.store.examples.list(demo.id, 'test').slice(0, 3);
    const beam = { strategy: 'beam', beam: 5, maxLength: 16, noRepeatNgram: 3, lenpen: 1 } as const;
    const trie = { strategy: 'trie', beam: 1, maxLength: 16, noRepeatNgram: 0, lenpen: 1 } as const;
    const zs = ctx.store.evaluations.insert({
      runId: null,
      experimentId: null,
      checkpointId: null,
      checkpointPath: null,
      weightsId,
      datasetId: demo.id,
      split: 'test',
      mode: 'zeroshot',
      decoding: beam,
    });
    ctx.store.predictions.append(
      zs.id,
      examples.map((x, i) => ({
        exampleId: x.id,
        source: String(x.inputs.question ?? ''),
        prediction: i === 2 ? 'wrong guess' : String(x.target),
        reference: String(x.target),
        correct: i !== 2,
        score: -0.5 - i,
      })),
    );
    const acc = { estimate: 2 / 3, low: 0.3, high: 1, n: 3 };
    ctx.store.evaluations.update(zs.id, {
      status: 'succeeded',
      done: 3,
      total: 3,
      metrics: { accuracy: acc },
    });

    const exp = ctx.store.experiments.insert({ name: 'from weights', kind: 'finetune', config: {} });
    const runIds = [50, 30].map((n, i) => {
      const run = ctx.store.runs.insert({
        experimentId: exp.id,
        name: `from weights ${i + 1}`,
        scale: 'cpu-xs',
        task: 'vqa',
        datasetId: demo.id,
        config: { initWeightsId: weightsId },
        status: 'succeeded',
        params: imported.record?.parameterCount ?? 0,
      });
      const ev = ctx.store.evaluations.insert({
        runId: run.id,
        experimentId: exp.id,
        checkpointId: null,
        checkpointPath: null,
        datasetId: demo.id,
        split: 'test',
        mode: 'finetuned',
        decoding: trie,
      });
      const a = 0.5 + i / 10;
      ctx.store.evaluations.update(ev.id, {
        status: 'succeeded',
        done: n,
        total: n,
        metrics: { accuracy: { estimate: a, low: a - 0.1, high: a + 0.1, n } },
      });
      return run.id;
    }) as [string, string];
    return { weightsId, datasetId: demo.id, runIds };
  } finally {
    ctx.close();
  }
}

/** The id of a dataset by its name, read from the store. */
export function datasetIdByName(home: string, name: string): string {
  const ctx = openWorkbench(home, 'browser');
  try {
    const id = ctx.store.datasets.list().find((d) => d.name === name)?.id;
    if (!id) throw new Error(`no dataset named ${name}`);
    return id;
  } finally {
    ctx.close();
  }
}
