import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

import { QUICK, startFinetune, tensorBytes, vqaRadWorkbench } from './job-test-helpers';

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
let runId: string;
beforeAll(async () => {
  env = await vqaRadWorkbench();
  runId = await startFinetune(env.ctx, env.datasetId, { ...QUICK, steps: 4, checkpointEvery: 2 });
  const run = await env.ctx.scheduler.waitForRun(runId);
  expect(run.status, run.error ?? '').toBe('succeeded');
});
afterAll(() => env?.dispose());

describe('runs.export', () => {
  it('exports the last checkpoint by default, under the run, bit for bit', async () => {
    const r = await env.ctx.invoke('runs.export', { id: runId });
    expect(r).toMatchObject({ runId, step: 4, chosen: 'last', bestMetric: null });
    expect(r.dir).toBe(join(env.dir, 'runs', runId, 'exports', 'step-4'));
    expect(r.files.map((f) => f.name)).toEqual(['model.safetensors', 'config.json', 'vocab.json']);
    const source = tensorBytes(join(env.ctx.store.checkpoints.at(runId, 4)!.path, 'model.safetensors'));
    const exported = tensorBytes(join(r.dir, 'model.safetensors'));
    expect(source.size).toBeGreaterThan(100);
    for (const [name, t] of source) expect(exported.get(name)?.equals(t), name).toBe(true);
    expect(JSON.parse(readFileSync(join(r.dir, 'config.json'), 'utf8'))).toMatchObject({
      model_type: 'ofa',
      biomed_workbench: { step: 4, run: { id: runId, name: 'test / cpu-xs / VQA-RAD' } },
    });
    // exporting again replaces the workbench's own folder
    expect((await env.ctx.invoke('runs.export', { id: runId })).dir).toBe(r.dir);
  });

  it('exports a chosen step into a given folder and refuses what it cannot do, writing nothing', async () => {
    const out = join(env.dir, 'elsewhere', 'step2');
    const r = await env.ctx.invoke('runs.export', {
      id: runId,
      step: 2,
      outDir: out,
    });
    expect(r).toMatchObject({ step: 2, chosen: 'step', dir: out });
    await expect(
      env.ctx.invoke('runs.export', { id: runId, step: 3, outDir: join(env.dir, 'x') }),
    ).rejects.toThrow(/no checkpoint at step 3 \(it has 2, 4\)/);
    await expect(env.ctx.invoke('runs.export', { id: runId, outDir: 'relative/dir' })).rejects.toThrow(
      /absolute/,
    );
    const full = join(env.dir, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    await expect(env.ctx.invoke('runs.export', { id: runId, outDir: full })).rejects.toThrow(/not empty/);
    expect(readFileSync(join(full, 'keep.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(env.dir, 'x'))).toBe(false);
    await expect(env.ctx.invoke('runs.export', { id: 'nope' })).rejects.toThrow(/No run/);
  });
});
