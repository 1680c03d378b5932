import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

import { requireTorch } from '#main/data/weights/test-fixtures';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import { reproductionVerdict, wilsonInterval } from '#shared/reproduce';
import { importLookAlikeWeights, vqaRadWorkbench, waitUntil } from './job-test-helpers';

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
let weightsId: string;
const ROW = 'published:zeroshot-vqa-rad:instruct-biomedgpt-s:accuracy';

beforeAll(async () => {
  requireTorch();
  env = await vqaRadWorkbench();
  weightsId = await importLookAlikeWeights(env.ctx, env.dir, 'look-alike S');
});
afterAll(() => env?.dispose());

describe('reproduce a reference row', () => {
  it('names the row’s plan before anything runs: mode, split, script decoding and pipeline', async () => {
    const plan = await env.ctx.invoke('referenceRows.plan', { rowId: ROW, datasetId: env.datasetId });
    expect(plan).toMatchObject({ task: 'vqa', mode: 'zeroshot', split: 'test', metric: 'accuracy' });
    expect(plan.decoding).toMatchObject({ strategy: 'beam', beam: 5 });
    expect(plan.pipeline).toMatchObject({ preset: 'released', reproduces: ROW });
    await expect(env.ctx.invoke('referenceRows.plan', { rowId: ROW, datasetId: 'nope' })).rejects.toThrow(
      /No dataset/,
    );
  });

  it('runs the row’s script settings as an ordinary evaluation and gives the verdict beside the row', async () => {
    const { ctx } = env;
    const started = await ctx.invoke('referenceRows.reproduce', {
      rowId: ROW,
      weightsId,
      datasetId: env.datasetId,
      limit: 4,
    });
    expect(started.plan).toMatchObject({ task: 'vqa', mode: 'zeroshot', split: 'test', metric: 'accuracy' });
    expect(started.plan.decoding).toMatchObject({ strategy: 'beam', beam: 5 });
    expect(started.plan.pipeline).toMatchObject({
      preset: 'released',
      answerNormalization: 'biomedgpt',
      reproduces: ROW,
    });
    expect(started.result.verdict).toBe('pending');
    await waitUntil(
      () => ['succeeded', 'failed'].includes(ctx.store.evaluations.get(started.evaluation.id)?.status ?? ''),
      240_000,
      'the reproduction',
    );
    const r = await ctx.invoke('referenceRows.reproduction', { evaluationId: started.evaluation.id });
    expect(r.evaluation.status, r.evaluation.error ?? '').toBe('succeeded');
    // an ordinary evaluation: listed with the others, with its pipeline and decoding
    const listed = await ctx.invoke('evaluations.list', {});
    expect(listed.map((e) => e.id)).toContain(r.evaluation.id);
    expect(r.evaluation).toMatchObject({
      weightsId,
      mode: 'zeroshot',
      decoding: { strategy: 'beam', beam: 5 },
    });
    expect(r.evaluation.pipeline?.reproduces).toBe(ROW);
    expect(r.result.measured?.n).toBe(4);
    expect(r.result.published.value).toBeCloseTo(0.421, 12);
    expect(r.result.published.n).toBe(451);
    const ci = wilsonInterval(190, 451);
    expect(r.result.published.low).toBeCloseTo(ci.low, 12);
    expect(['inside', 'outside']).toContain(r.result.verdict);
    expect(r.result.basis).toMatch(/190 \/ 451/);
    console.log(
      `reproduced ${ROW}: measured ${r.result.measured?.estimate} [${r.result.measured?.low}, ${r.result.measured?.high}] n ${r.result.measured?.n}; published ${r.result.published.value} CI [${r.result.published.low?.toFixed(3)}, ${r.result.published.high?.toFixed(3)}]: ${r.result.verdict}`,
    );
  });

  it('refuses a row, weights or dataset that do not exist, and a dataset of another task, by name', async () => {
    const { ctx } = env;
    await expect(
      ctx.invoke('referenceRows.reproduce', { rowId: 'nope', weightsId, datasetId: env.datasetId }),
    ).rejects.toThrow(/No reference row/);
    await expect(
      ctx.invoke('referenceRows.reproduce', { rowId: ROW, weightsId: 'nope', datasetId: env.datasetId }),
    ).rejects.toThrow(/No imported weights/);
    // A second reproduction of the row with the same weights and data while one runs is refused.
    const first = await ctx.invoke('referenceRows.reproduce', {
      rowId: ROW,
      weightsId,
      datasetId: env.datasetId,
      limit: 2,
    });
    await expect(
      ctx.invoke('referenceRows.reproduce', { rowId: ROW, weightsId, datasetId: env.datasetId }),
    ).rejects.toThrow(/already being reproduced with "look-alike S"/);
    await ctx.invoke('evaluations.cancel', { id: first.evaluation.id });
    const caption = PUBLISHED_REFERENCE_ROWS.find((r) => r.task && r.task !== 'vqa');
    if (caption)
      await expect(
        ctx.invoke('referenceRows.reproduce', { rowId: caption.id, weightsId, datasetId: env.datasetId }),
      ).rejects.toThrow(/figure/);
  });
});

describe('reproductionVerdict', () => {
  const row = PUBLISHED_REFERENCE_ROWS.find((r) => r.id === ROW)!;
  it('a share of n: inside / outside the Wilson 95% CI of the published count', () => {
    expect(reproductionVerdict(row, { estimate: 0.43, low: 0.38, high: 0.48, n: 451 }).verdict).toBe(
      'inside',
    );
    expect(reproductionVerdict(row, { estimate: 0.3, low: 0.26, high: 0.34, n: 451 }).verdict).toBe(
      'outside',
    );
    expect(reproductionVerdict(row, undefined).verdict).toBe('pending');
  });
  it('other metrics: the published value inside / outside the measured CI', () => {
    const cider = { ...row, metric: 'cider' as const, value: 0.36, n: null };
    expect(reproductionVerdict(cider, { estimate: 0.4, low: 0.3, high: 0.5, n: 10 }).verdict).toBe('inside');
    expect(reproductionVerdict(cider, { estimate: 0.9, low: 0.8, high: 1, n: 10 }).verdict).toBe('outside');
  });
});
