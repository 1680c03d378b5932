import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkbench } from './open';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function workbench() {
  const home = mkdtempSync(join(tmpdir(), 'bw-admin-'));
  homes.push(home);
  const ctx = openWorkbench(home, 'browser');
  const exp = ctx.store.experiments.insert({ name: 'e', kind: 'finetune', config: {} });
  const mk = (status: 'running' | 'succeeded') =>
    ctx.store.runs.insert({
      experimentId: exp.id,
      name: `r-${status}`,
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: null,
      config: {},
      status,
    });
  return { ctx, mk };
}

describe('runs.delete', () => {
  it('deletes a finished run and its folder, and emits an event', async () => {
    const { ctx, mk } = workbench();
    const run = mk('succeeded');
    mkdirSync(join(ctx.home.runs, run.id), { recursive: true });
    writeFileSync(join(ctx.home.runs, run.id, 'ckpt.safetensors'), 'x');
    const events: string[] = [];
    ctx.events.subscribe((name, p) => {
      const e = p as { kind: string; runId: string };
      if (name === 'onDidChangeRun') events.push(`${e.kind}:${e.runId}`);
    });
    expect(await ctx.invoke('runs.delete', { id: run.id })).toEqual({ id: run.id, filesRemoved: true });
    expect(ctx.store.runs.get(run.id)).toBeUndefined();
    expect(existsSync(join(ctx.home.runs, run.id))).toBe(false);
    expect(events).toEqual([`deleted:${run.id}`]);
    ctx.close();
  });
  it('refuses a running run with a message saying what to do', async () => {
    const { ctx, mk } = workbench();
    const run = mk('running');
    await expect(ctx.invoke('runs.delete', { id: run.id })).rejects.toThrow(/cancel it before deleting/);
    expect(ctx.store.runs.get(run.id)).toBeDefined();
    ctx.close();
  });
});

describe('settings', () => {
  it('returns defaults, then what was saved, and rejects bad values naming the field', async () => {
    const { ctx } = workbench();
    expect(await ctx.invoke('settings.get', {})).toEqual({
      workerConcurrency: 1,
      deidentification: 'basic-profile',
    });
    await ctx.invoke('settings.update', { workerConcurrency: 2 });
    expect(await ctx.invoke('settings.get', {})).toMatchObject({ workerConcurrency: 2 });
    await expect(ctx.invoke('settings.update', { workerConcurrency: 0 })).rejects.toThrow(
      /workerConcurrency/,
    );
    ctx.close();
  });
});
