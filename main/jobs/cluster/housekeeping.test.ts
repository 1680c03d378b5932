import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { ClusterProfile } from '#shared/domain/cluster';
import type { RunStatus } from '#shared/domain/run';
import { cleanCluster, clusterUsage } from './housekeeping';

// The disk side needs no Slurm (a local profile runs du and rm here); the Slurm suite cleans
// after real jobs.
let tmp: ReturnType<typeof tempDir>;
let store: Store;
let profile: ClusterProfile;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'w.sqlite'));
  profile = ClusterProfile.parse({
    name: 'lab',
    access: { kind: 'local' },
    workDir: join(tmp.dir, 'work'),
    checkout: tmp.dir,
  });
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

/** An experiment's bundle with one run folder of `kb` KiB, and its job (closed or not). */
function bundle(exp: string, status: RunStatus, closed: boolean, kb = 64): string {
  store.experiments.insert({ id: exp, name: `exp ${exp}`, kind: 'finetune', config: {} });
  const run = `${exp}-run`;
  store.runs.insert({
    id: run,
    experimentId: exp,
    name: `run of ${exp}`,
    status,
    scale: 'cpu-xs',
    task: 'vqa',
    datasetId: null,
    config: {},
  });
  const dir = join(profile.workDir, 'biomed', exp);
  mkdirSync(join(dir, 'runs', run), { recursive: true });
  writeFileSync(join(dir, 'runs', run, 'weights.bin'), Buffer.alloc(kb * 1024, 1));
  writeFileSync(join(dir, 'job.sh'), '#!/bin/bash\n');
  const job = store.clusters.addJob({
    runId: run,
    cluster: 'lab',
    profile,
    jobId: String(100 + store.clusters.allJobs().length),
    taskIndex: 0,
    bundleDir: dir,
    runDir: join(dir, 'runs', run),
  });
  store.clusters.updateJob(job.id, {
    state: closed ? 'COMPLETED' : 'RUNNING',
    reason: null,
    node: 'n1',
    elapsedSeconds: 1,
    exitCode: null,
    maxRssBytes: null,
  });
  if (closed) store.clusters.closeJob(job.id);
  return dir;
}

describe('cluster housekeeping', () => {
  it('measures each bundle and run folder, and removes only ended, ingested ones after a dry run', async () => {
    const done = bundle('a', 'succeeded', true, 256);
    const running = bundle('b', 'running', false);
    const paused = bundle('c', 'paused', true);
    const failed = bundle('d', 'failed', true);
    const foreign = join(profile.workDir, 'biomed', 'not-ours');
    mkdirSync(foreign, { recursive: true });
    writeFileSync(join(foreign, 'x'), 'x');

    const usage = await clusterUsage(store, profile);
    expect(usage.error).toBeNull();
    const a = usage.bundles.find((b) => b.path === done)!;
    expect(a.name).toBe('exp a');
    expect(a.bytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(a.folders).toEqual([
      { kind: 'run', id: 'a-run', path: join(done, 'runs', 'a-run'), bytes: expect.any(Number) },
    ]);
    expect(a.folders[0]!.bytes).toBeGreaterThanOrEqual(256 * 1024);
    expect(usage.bytes).toBe(usage.bundles.reduce((n, b) => n + b.bytes, 0));

    const dry = await cleanCluster(store, profile, { confirm: false, includeFailed: false });
    expect(dry.dryRun).toBe(true);
    expect(dry.removed.map((b) => b.path)).toEqual([done]);
    expect(dry.bytesFreed).toBe(a.bytes);
    const why = Object.fromEntries(dry.kept.map((b) => [b.path, b.note]));
    expect(why[running]).toMatch(/still followed \(Slurm: RUNNING\)/);
    expect(why[paused]).toMatch(/paused: resuming it needs its checkpoints/);
    expect(why[failed]).toMatch(/failed.*include failed runs/);
    expect(why[foreign]).toMatch(/no run or evaluation of this data folder/);
    expect(existsSync(done)).toBe(true); // a dry run removes nothing

    const wet = await cleanCluster(store, profile, { confirm: true, includeFailed: true });
    expect(wet.dryRun).toBe(false);
    expect(wet.removed.map((b) => b.path).sort()).toEqual([done, failed].sort());
    expect(existsSync(done)).toBe(false);
    expect(existsSync(failed)).toBe(false);
    for (const kept of [running, paused, foreign]) expect(existsSync(kept)).toBe(true);
    // Nothing left to remove: a second clean frees nothing.
    const again = await cleanCluster(store, profile, { confirm: true, includeFailed: true });
    expect(again.removed).toEqual([]);
    expect(again.bytesFreed).toBe(0);
  });

  it('reports an unreachable work folder instead of throwing', async () => {
    const ssh = ClusterProfile.parse({
      ...profile,
      access: { kind: 'ssh', host: 'biomed-no-such-host.invalid', configFile: null },
    });
    const usage = await clusterUsage(store, ssh);
    expect(usage.bytes).toBeNull();
    expect(usage.error).toMatch(/measuring .*work\/biomed \(ssh biomed-no-such-host\.invalid\) failed/);
    await expect(cleanCluster(store, ssh, { confirm: true, includeFailed: false })).rejects.toThrow(/failed/);
  });
});
