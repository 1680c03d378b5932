import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { openStore } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { ClusterProfile } from '#shared/domain/cluster';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('migration 0060 clusters', () => {
  it('keeps runs written before it, adds profiles, Slurm jobs and ingest cursors', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 50 });
    before.exec(`
      INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't');
      INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'running', 'cpu-xs', 'vqa', '{}', 't');
    `);
    before.close();

    const store = openStore(file);
    expect(store.runs.get('r')).toMatchObject({ status: 'running', cluster: null });
    const profile = ClusterProfile.parse({
      name: 'lab',
      access: { kind: 'local' },
      workDir: '/shared',
      checkout: '/opt/bw',
    });
    store.clusters.saveProfile(profile);
    expect(store.clusters.profiles()).toEqual([profile]);
    const job = store.clusters.addJob({
      runId: 'r',
      cluster: 'lab',
      profile,
      jobId: '12_3',
      taskIndex: 3,
      bundleDir: '/shared/b',
      runDir: '/shared/b/runs/r',
    });
    expect(job).toMatchObject({ attempt: 1, state: 'PENDING', closed: false });
    expect(
      store.clusters.updateJob(job.id, {
        state: 'RUNNING',
        reason: null,
        node: 'n1',
        elapsedSeconds: 5,
        exitCode: null,
        maxRssBytes: null,
      }),
    ).toBe(true);
    // The same answer again changes nothing.
    expect(
      store.clusters.updateJob(job.id, {
        state: 'RUNNING',
        reason: null,
        node: 'n1',
        elapsedSeconds: 5,
        exitCode: null,
        maxRssBytes: null,
      }),
    ).toBe(false);
    expect(store.runs.get('r')!.cluster).toMatchObject({
      cluster: 'lab',
      jobId: '12_3',
      state: 'RUNNING',
      node: 'n1',
    });
    // A crash-restart does not mark a run a cluster still runs as interrupted.
    expect(store.runs.markInterrupted('crash')).toEqual([]);
    store.clusters.advance('r', 'a.jsonl', {
      offset: 10,
      seq: 2,
      complete: true,
      end: { reason: 'completed' },
    });
    expect(store.clusters.cursor('r', 'a.jsonl')).toEqual({
      offset: 10,
      seq: 2,
      complete: true,
      end: { reason: 'completed' },
    });
    store.runs.delete('r');
    expect(store.clusters.openJobs()).toHaveLength(0);
    expect(store.clusters.files('r')).toHaveLength(0);
    store.close();
  });
});
