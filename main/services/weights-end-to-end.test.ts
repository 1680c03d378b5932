// The published-weights path end to end (issue 11): S-shaped weights in fairseq naming, as a
// `torch.save` archive written by PyTorch, are imported with the standard dict.txt, fine-tuned a
// few steps on real VQA-RAD, evaluated zero-shot straight from the import, exported, and the export
// is imported back: every tensor equal to the run's checkpoint bit for bit.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

import { requireTorch, writeCheckpoints } from '#main/data/weights/test-fixtures';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import { PRESETS } from '#shared/model/presets';
import { QUICK, tensorBytes, vqaRadWorkbench, waitUntil } from './job-test-helpers';

const DICT = resolve(import.meta.dirname, '../../../shared/spec/vocab/dict.txt');

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
let weightsId: string;
let runId: string;

beforeAll(async () => {
  requireTorch();
  env = await vqaRadWorkbench();
  const src = join(env.dir, 'published');
  mkdirSync(src);
  writeCheckpoints(src, [
    {
      config: PRESETS.S,
      files: [{ path: join(src, 'biomedgpt_tiny.pt'), layout: 'fairseq', dtype: 'fp32', arch: 'ofa_tiny' }],
    },
  ]);
  const r = await env.ctx.invoke('weights.import', {
    path: join(src, 'biomedgpt_tiny.pt'),
    dictPath: DICT,
    name: 'BiomedGPT-S (test)',
  });
  expect(r.ok, JSON.stringify(r.report).slice(0, 500)).toBe(true);
  expect(r.record?.architecture.preset).toBe('S');
  weightsId = r.record!.id;
});
afterAll(() => env?.dispose());

describe('published weights end to end (S, real VQA-RAD)', () => {
  it('fine-tunes a few steps from the imported S weights', async () => {
    const created = await env.ctx.invoke('experiments.create', {
      name: 'from S',
      task: 'vqa',
      datasets: [{ datasetId: env.datasetId }],
      scale: 'S',
      init: { type: 'weights', weightsId },
      hyperparameters: { ...QUICK, batchSize: 2, lr: 1e-4, steps: 2, checkpointEvery: 2 },
      evaluate: { split: null },
    });
    runId = created.runs[0]!.id;
    const run = await env.ctx.scheduler.waitForRun(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    const losses = env.ctx.store.metrics.series(runId, ['train/loss'])[0]!.points;
    expect(losses.map((p) => p.step)).toEqual([1, 2]);
    for (const p of losses) expect(Number.isFinite(p.value)).toBe(true);
  });

  it('evaluates the imported weights zero-shot, without a run', async () => {
    const ev = await env.ctx.invoke('evaluations.create', { weightsId, datasetId: env.datasetId, limit: 2 });
    expect(ev).toMatchObject({ runId: null, weightsId, mode: 'zeroshot' });
    let done: EvaluationSummary | undefined;
    await waitUntil(
      () => {
        done = env.ctx.store.evaluations.get(ev.id);
        return done?.status === 'succeeded' || done?.status === 'failed';
      },
      480_000,
      'the zero-shot evaluation of the S weights',
    );
    expect(done?.status, done?.error ?? '').toBe('succeeded');
    expect(done?.metrics['accuracy']?.n).toBe(2);
  });

  it('exports the run and imports the export back, bit for bit', async () => {
    const exp = await env.ctx.invoke('runs.export', { id: runId });
    expect(exp.files.map((f) => f.name)).toContain('dict.txt');
    const checkpoint = tensorBytes(join(env.ctx.store.checkpoints.latest(runId)!.path, 'model.safetensors'));
    const exported = tensorBytes(join(exp.dir, 'model.safetensors'));
    for (const [name, t] of checkpoint) expect(exported.get(name)?.equals(t), name).toBe(true);
    const back = await env.ctx.invoke('weights.import', {
      path: join(exp.dir, 'model.safetensors'),
      dictPath: join(exp.dir, 'dict.txt'),
      name: 'export of the S run',
    });
    expect(back.ok, JSON.stringify(back.report).slice(0, 500)).toBe(true);
    expect(back.record?.architecture.preset).toBe('S');
    const stored = tensorBytes(back.record!.storedPath);
    let compared = 0;
    for (const [name, t] of checkpoint) {
      expect(stored.get(name)?.equals(t), name).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(500);
  });
});
