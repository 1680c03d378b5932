import { openWorkbench } from '#main/services/open';
import type { RunStatus } from '#shared/domain/run';

const STATUSES: RunStatus[] = [
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'cancelled',
  'running',
  'queued',
  'paused',
];
const TASKS = ['vqa', 'image_classification', 'summarization', 'text_understanding', 'captioning'];
const SCALES = ['cpu-xs', 'cpu-s', 'cpu-m', 'S', 'M', 'Base', 'Large', 'XLarge'];
const PARAMS: Record<string, number> = {
  'cpu-xs': 736_044,
  'cpu-s': 2_955_004,
  'cpu-m': 12_400_000,
  S: 33_500_000,
  M: 92_900_000,
  Base: 182_200_000,
  Large: 473_000_000,
  XLarge: 929_500_000,
};
const TAGS = ['baseline', 'ablation', 'paper', 'lr-sweep', 'seed-sweep', 'debug'];

/** A small deterministic generator, so every bench run measures the same history. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Fills a data folder with `n` generated runs over 8 datasets, spread over two years. */
export function seedHistory(home: string, n: number): { datasetIds: string[]; elapsedMs: number } {
  const t0 = performance.now();
  const ctx = openWorkbench(home, 'browser');
  const rand = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  try {
    const datasetIds = Array.from({ length: 8 }, (_, i) => `bench-dataset-${i}`);
    datasetIds.forEach((id, i) => {
      ctx.store.datasets.insert({
        id,
        name: ['VQA-RAD', 'SLAKE', 'PathVQA', 'MedMNIST', 'MeQSum', 'MedNLI', 'PubMedQA', 'IU X-ray'][i]!,
        format: 'jsonl',
        task: TASKS[i % TASKS.length]!,
        sourcePath: null,
        contentHash: `bench-${i}`,
        synthetic: true,
        meta: {},
      });
    });
    const start = Date.parse('2025-01-01T00:00:00Z');
    ctx.store.transaction(() => {
      const exp = ctx.store.experiments.insert({ name: 'bench history', kind: 'finetune', config: {} });
      for (let i = 0; i < n; i++) {
        const scale = pick(SCALES);
        const ds = pick(datasetIds);
        const status = pick(STATUSES);
        const run = ctx.store.runs.insert({
          experimentId: exp.id,
          name: `${ds.replace('bench-dataset-', 'd')} ${scale} lr ${pick(['1e-5', '5e-5', '1e-4'])} seed ${i % 5}`,
          scale,
          task: pick(TASKS),
          datasetId: ds,
          config: { lr: 5e-5, seed: i % 5 },
          params: PARAMS[scale]!,
          totalSteps: 1000,
          status,
          createdAt: new Date(start + i * 3_600_000 * 1.7).toISOString(),
        });
        if (status === 'succeeded')
          ctx.store.runs.update(run.id, { bestMetricName: 'test/accuracy', bestMetric: rand(), step: 1000 });
        if (rand() < 0.3) ctx.store.runs.tag(run.id, [pick(TAGS)], []);
        if (rand() < 0.05) ctx.store.runs.star(run.id, true);
        if (rand() < 0.1) ctx.store.runs.setNote(run.id, `note ${i}: loss plateaued after warmup`);
      }
    });
    return { datasetIds, elapsedMs: performance.now() - t0 };
  } finally {
    ctx.close();
  }
}
