import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real worker processes: generous limits for a loaded 2-core machine (the suite default is 120 s).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

import { ensureDemoDatasets } from './demo-datasets';
import { vqaRadWorkbench, waitUntil } from './job-test-helpers';

// Instruction tuning as one experiment: a weighted mixture (the demo instruction set and the demo
// VQA set in instruction form), then zero-shot evaluation on held-out real VQA-RAD. A handful of
// steps: this checks the workflow and what is stored, not how well a 6-step model answers.

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
beforeAll(async () => {
  env = await vqaRadWorkbench();
  await ensureDemoDatasets(env.ctx, { onlyIfEmpty: false });
});
afterAll(() => env?.dispose());

const demoId = (demo: string) => env.ctx.store.datasets.findDemo(demo)!;

describe('instruction tuning with zero-shot evaluation', () => {
  it('trains on a weighted mixture and evaluates zero-shot with alignment accuracy, in one experiment', async () => {
    const { ctx } = env;
    const created = await ctx.invoke('experiments.create', {
      name: 'instruct',
      kind: 'instruction',
      task: 'instruction',
      datasets: [
        { datasetId: demoId('instruction-mixture'), weight: 3 },
        { datasetId: demoId('phantom-vqa-counts'), weight: 1 },
      ],
      scale: 'cpu-xs',
      hyperparameters: { steps: 6, batchSize: 4, imageSize: 32, maxSrcLength: 48, maxTgtLength: 8 },
      evaluate: { split: null, zeroShot: [{ datasetId: env.datasetId }], limit: 24 },
    });
    const experimentId = created.experiment!.id;
    const runId = created.runs[0]!.id;
    const run = await ctx.scheduler.waitForRun(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    await waitUntil(
      () =>
        ctx.store.evaluations
          .list({ experimentId })
          .some((e) => e.status === 'succeeded' || e.status === 'failed'),
      120_000,
      'the zero-shot evaluation',
    );
    const detail = await ctx.invoke('experiments.get', { id: experimentId });
    expect(detail.runs).toHaveLength(1);
    expect(detail.evaluations).toHaveLength(1);
    const ev = detail.evaluations[0]!;
    expect(ev.status, ev.error ?? '').toBe('succeeded');
    expect(ev.mode).toBe('zeroshot');
    expect(ev.decoding).toMatchObject({ strategy: 'beam', beam: 5 }); // unconstrained beam search (spec §2.3)
    expect(ev.done).toBe(24);
    const alignment = ev.metrics['alignment_accuracy']!;
    expect(alignment.n).toBe(24);
    expect(alignment.estimate).toBeGreaterThanOrEqual(0);
    expect(alignment.estimate).toBeLessThanOrEqual(1);
    // The prompts were instruction-form, as the model was tuned.
    const page = await ctx.invoke('evaluations.predictions', { id: ev.id, limit: 5 });
    expect(page.predictions[0]?.source).toMatch(/Answer the question about the medical image/);
    // Mixture weights: the run's config keeps them, and both datasets were sampled.
    const config = ctx.store.runs.config(runId) as { mixture: { datasetId: string; weight: number }[] };
    expect(config.mixture.map((m) => m.weight)).toEqual([3, 1]);

    // The instruction-tuned run's checkpoint is the initial weights of a fine-tune.
    const init = { type: 'run', runId } as const;
    await expect(
      ctx.invoke('experiments.create', {
        name: 'x',
        task: 'vqa',
        datasets: [{ datasetId: env.datasetId }],
        scale: 'cpu-s',
        init,
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'init.runId' });
    const tuned = await ctx.invoke('experiments.create', {
      name: 'from instruct',
      task: 'vqa',
      datasets: [{ datasetId: env.datasetId }],
      scale: 'cpu-xs',
      init,
      hyperparameters: { steps: 2, batchSize: 4, imageSize: 32 },
      evaluate: { split: null },
    });
    const child = await ctx.scheduler.waitForRun(tuned.runs[0]!.id);
    expect(child.status, child.error ?? '').toBe('succeeded');
    expect(ctx.store.runs.config(child.id)?.['initCheckpoint']).toBe(
      ctx.store.checkpoints.latest(runId)?.path,
    );
  });

  it('refuses a configuration that cannot run, naming the field', async () => {
    const { ctx } = env;
    await expect(
      ctx.invoke('experiments.create', {
        name: 'too big',
        task: 'vqa',
        datasets: [{ datasetId: env.datasetId }],
        scale: 'XLarge',
        hyperparameters: { batchSize: 4096 },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'scale', message: expect.stringMatching(/GiB/) });
    await expect(
      ctx.invoke('experiments.create', {
        name: 'x',
        task: 'vqa',
        datasets: [{ datasetId: 'nope' }],
        scale: 'cpu-xs',
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'datasets.0.datasetId' });
    await expect(
      ctx.invoke('experiments.create', {
        name: 'x',
        task: 'summarization',
        datasets: [{ datasetId: env.datasetId }],
        scale: 'cpu-xs',
      }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/no training examples/),
    });
    // A sweep plans the cartesian product as sibling runs, with estimates; a dry run queues nothing.
    const plan = await ctx.invoke('experiments.create', {
      name: 'sweep',
      task: 'vqa',
      datasets: [{ datasetId: env.datasetId }],
      scale: 'cpu-xs',
      sweep: { scales: ['cpu-xs', 'cpu-s'], lrs: [1e-3, 3e-3], seeds: [1, 2] },
      dryRun: true,
    });
    expect(plan.experiment).toBeNull();
    expect(plan.plan).toHaveLength(8);
    expect(new Set(plan.plan.map((p) => p.name)).size).toBe(8);
    expect(plan.plan.every((p) => p.estimate.memoryBytes > 0 && p.estimate.totalSeconds > 0)).toBe(true);
    // VQA's spec defaults: 100 epochs of the training questions at batch 16. VQA-RAD's validation
    // split is drawn from its 1,797 official training questions grouped by stored image (about 1,614
    // stay in train; the stored bytes, hence the draw, depend on the import's stored size).
    const train = (await ctx.invoke('datasets.get', { id: env.datasetId })).splits.train ?? 0;
    expect(train).toBeGreaterThan(1550);
    expect(train).toBeLessThan(1700);
    expect(plan.plan[0]?.hyperparameters).toMatchObject({
      lr: 1e-3,
      epochs: 100,
      steps: Math.ceil((100 * train) / 16),
    });
  });
});
