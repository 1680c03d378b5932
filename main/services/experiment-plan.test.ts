import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoDatasets } from './demo-datasets';
import { freshWorkbench } from './test-workbench';

// The planner's default learning rate per scale (issue 25): the per-width rule of
// shared/model/cpu-recipe.ts for CPU rungs from random weights, what the person asked for otherwise.

let wb: ReturnType<typeof freshWorkbench>;
let vqa: string;
beforeAll(async () => {
  wb = freshWorkbench();
  await ensureDemoDatasets(wb, { onlyIfEmpty: false });
  vqa = wb.store.datasets.findDemo('phantom-vqa-counts')!;
});
afterAll(() => wb?.close());

const request = (hyperparameters: Record<string, number>) => ({
  name: 'ladder',
  task: 'vqa' as const,
  datasets: [{ datasetId: vqa }],
  scale: 'cpu-xs' as const,
  sweep: { scales: ['cpu-xs', 'cpu-s', 'cpu-m'] as ('cpu-xs' | 'cpu-s' | 'cpu-m')[] },
  hyperparameters: { steps: 10, ...hyperparameters },
});

describe('experiment planning: learning rate per rung', () => {
  it('gives each CPU rung the CPU rungs rate when none is asked for (one rate for every rung)', async () => {
    const plan = await wb.invoke('experiments.estimate', request({}));
    expect(plan.map((p) => p.scale)).toEqual(['cpu-xs', 'cpu-s', 'cpu-m']);
    expect(plan.map((p) => p.hyperparameters.lr)).toEqual([1.6e-4, 1.6e-4, 1.6e-4]);
    // one run per rung: the rule does not turn into a learning-rate sweep
    expect(plan.map((p) => p.name).some((n) => n.includes('lr='))).toBe(false);
  });

  it('keeps a rate the person gave for every rung', async () => {
    const plan = await wb.invoke('experiments.estimate', request({ lr: 1e-3 }));
    expect(plan.map((p) => p.hyperparameters.lr)).toEqual([1e-3, 1e-3, 1e-3]);
  });
});
