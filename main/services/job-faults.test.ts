import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real worker processes: generous limits for a loaded 2-core machine (the suite default is 120 s).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

import { QUICK, startFinetune, vqaRadWorkbench, waitUntil } from './job-test-helpers';

// Fault tests of the scheduler with real engine workers (forked processes) on real VQA-RAD,
// smallest rung at 32 px and batch 4 (about 0.1-0.3 s a step). Each worker start costs a few
// seconds (tsx + tfjs), which is most of the ~60 s this file takes.

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
beforeAll(async () => {
  env = await vqaRadWorkbench();
});
afterAll(() => env?.dispose());

/** The job's own fields of a checkpoint's header (services may not import the engine). */
function checkpointExtra(dir: string): Record<string, unknown> {
  const bytes = readFileSync(join(dir, 'model.safetensors'));
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as {
    __metadata__: { extra?: string };
  };
  return JSON.parse(header.__metadata__.extra ?? '{}') as Record<string, unknown>;
}

const lossRows = (runId: string) =>
  env.ctx.store.metrics.series(runId, ['train/loss'])[0]!.points.map(({ step, value }) => ({ step, value }));

describe('worker faults', () => {
  it('survives kill -9 of the worker at random steps: marked failed, log kept, resumed to the same final step, nothing lost', async () => {
    const { ctx } = env;
    const steps = 14;
    const runId = await startFinetune(ctx, env.datasetId, { ...QUICK, steps, checkpointEvery: 3 });
    const seen = new Map<number, number>();
    const recomputed = new Set<number>(); // steps after the checkpoint a resume starts from
    let low = 2;
    for (let trial = 0; trial < 3; trial++) {
      const killAt = low + Math.floor(Math.random() * 3); // a random step, later each trial
      await waitUntil(() => (ctx.scheduler.liveStep(runId) ?? 0) >= killAt, 90_000, `step ${killAt}`);
      const pid = ctx.scheduler.workerPid(runId)!;
      process.kill(pid, 'SIGKILL');
      const failed = await ctx.scheduler.waitForRun(runId);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/SIGKILL/);
      const tail = ctx.store.runs.logTail(runId);
      expect(tail).toMatch(/worker exited \(signal SIGKILL\): failed/);
      expect(tail).toMatch(/starting:|resuming at step/);
      // Every metric row the worker reported before dying is stored.
      const rows = lossRows(runId);
      for (const r of rows) if (!seen.has(r.step)) seen.set(r.step, r.value); // first (pre-kill) value
      expect(rows.length).toBeGreaterThanOrEqual(killAt - 1);
      expect(ctx.store.integrityCheck()).toBe('ok');
      const checkpoint = ctx.store.checkpoints.latest(runId)?.step ?? 0;
      for (const r of rows) if (r.step > checkpoint) recomputed.add(r.step);
      console.info(
        `kill -9 trial ${trial + 1}: worker killed at step ${ctx.store.runs.get(runId)?.step} (target ${killAt}), ${rows.length} loss rows stored, run ${failed.status}, resume from checkpoint ${checkpoint}, integrity ok`,
      );
      const resumed = await ctx.invoke('runs.resume', { id: runId });
      expect(resumed.status).toBe('queued');
      low = Math.min(killAt + 2, steps - 3);
    }
    const done = await ctx.scheduler.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(done.step).toBe(steps);
    const rows = lossRows(runId);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    // Steps redone after a resume reproduce the values stored before the kill (same batches,
    // same dropout seeds, same Adam state): resuming is exact, not approximate.
    for (const r of rows) {
      const before = seen.get(r.step);
      if (before !== undefined) expect(r.value).toBeCloseTo(before, 4);
    }
    expect(ctx.store.checkpoints.latest(runId)?.step).toBe(steps);
    expect(ctx.store.integrityCheck()).toBe('ok');
    const replayed = rows.filter((r) => recomputed.has(r.step)).length;
    expect(replayed).toBeGreaterThan(0);
    // The validate stage ran before every checkpoint (3, 6, 9, 12 and the last step) on held-out
    // VQA-RAD, and the last checkpoint carries the best score of the whole run, across resumes.
    const val = env.ctx.store.metrics.series(runId, ['val/loss'])[0]!.points;
    expect(val.map((p) => p.step)).toEqual([3, 6, 9, 12, 14]);
    const best = val.reduce((a, p) => (p.value < a.value ? p : a));
    expect(checkpointExtra(ctx.store.checkpoints.latest(runId)!.path)['bestValidation']).toEqual({
      metric: 'val/loss',
      value: best.value,
      step: best.step,
    });
    expect(ctx.store.runs.logTail(runId)).toMatch(/validating on \d+ held-out examples/);
    console.info(
      `kill -9: final step ${done.step}/${steps}, ${rows.length} loss rows (one per step), ${replayed} steps recomputed after a kill equal their pre-kill values to 1e-4`,
    );
  });

  it('cancels at the next step boundary', async () => {
    const { ctx } = env;
    const runId = await startFinetune(ctx, env.datasetId, { ...QUICK, steps: 500, checkpointEvery: 1000 });
    await waitUntil(() => (ctx.scheduler.liveStep(runId) ?? 0) >= 3, 90_000, 'step 3');
    const at = ctx.scheduler.liveStep(runId)!;
    const t0 = Date.now();
    await ctx.invoke('runs.cancel', { id: runId });
    const run = await ctx.scheduler.waitForRun(runId);
    expect(run.status).toBe('cancelled');
    // The step in flight when the request reached the worker finishes; no further one starts.
    const tail = ctx.store.runs.logTail(runId);
    const during = Number(/cancel received during step (\d+)/.exec(tail)?.[1]);
    const after = Number(/stopped after step (\d+)/.exec(tail)?.[1]);
    expect(after).toBe(run.step);
    expect(after).toBeLessThanOrEqual(during);
    // Seen from the host (whose view of the step lags by the messages in flight): at most 2 more.
    expect(run.step).toBeLessThanOrEqual(at + 2);
    expect(Date.now() - t0).toBeLessThan(10_000); // well inside the grace period: it was not killed
    expect(ctx.store.runs.logTail(runId)).toMatch(
      /cancel requested[\s\S]*worker exited \(code 0\): cancelled/,
    );
  });

  it('pauses with a checkpoint and resumes from it', async () => {
    const { ctx } = env;
    // Progress reaches listeners as batched events: every stored loss point arrives once.
    const streamed: number[] = [];
    const statuses: string[] = [];
    const unsubscribe = ctx.events.subscribe((event, payload) => {
      if (event === 'onDidRunProgress') {
        const p = payload as { points: Record<string, { step: number }[]> };
        streamed.push(...(p.points['train/loss'] ?? []).map((x) => x.step));
      }
      if (event === 'onDidChangeRun')
        statuses.push((payload as { run?: { status: string } }).run?.status ?? '');
    });
    const runId = await startFinetune(ctx, env.datasetId, { ...QUICK, steps: 8, checkpointEvery: 100 });
    await waitUntil(() => (ctx.scheduler.liveStep(runId) ?? 0) >= 2, 90_000, 'step 2');
    await ctx.invoke('runs.pause', { id: runId });
    const paused = await ctx.scheduler.waitForRun(runId);
    expect(paused.status).toBe('paused');
    const ck = ctx.store.checkpoints.latest(runId)!;
    expect(ck.step).toBe(paused.step);
    const file = join(ck.path, 'model.safetensors');
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    await ctx.invoke('runs.resume', { id: runId });
    const done = await ctx.scheduler.waitForRun(runId);
    expect(done.status).toBe('succeeded');
    expect(done.step).toBe(8);
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(digest);
    expect(ctx.store.runs.logTail(runId)).toMatch(new RegExp(`resuming at step ${ck.step}`));
    unsubscribe();
    expect([...new Set(streamed)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(statuses).toEqual(expect.arrayContaining(['queued', 'running', 'paused', 'succeeded']));
  });
});
