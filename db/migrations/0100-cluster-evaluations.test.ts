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

describe('migration 0100 cluster evaluations', () => {
  it('keeps evaluations written before it; a cluster evaluation has jobs and cursors of its own and is not interrupted on open', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 90 });
    before.exec(`
      INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES ('d', 'D', 'demo', 'vqa', 'h', 't');
      INSERT INTO evaluations (id, dataset_id, split, mode, status, decoding, created_at) VALUES ('v', 'd', 'test', 'zeroshot', 'running', '{"strategy":"greedy"}', 't');
      INSERT INTO evaluations (id, dataset_id, split, mode, status, decoding, created_at) VALUES ('here', 'd', 'test', 'zeroshot', 'running', '{"strategy":"greedy"}', 't');
    `);
    before.close();
    const store = openStore(file);
    const profile = ClusterProfile.parse({
      name: 'lab',
      access: { kind: 'local' },
      workDir: '/w',
      checkout: '/c',
    });
    const job = store.clusters.evaluations.addJob({
      runId: 'v',
      cluster: 'lab',
      profile,
      jobId: '12_1',
      taskIndex: 1,
      bundleDir: '/w/b',
      runDir: '/w/b/evals/v',
    });
    expect(job).toMatchObject({ runId: 'v', attempt: 1, state: 'PENDING', closed: false });
    expect(store.clusters.evaluations.openJobs().map((j) => j.runId)).toEqual(['v']);
    expect(store.clusters.openJobs()).toEqual([]);
    store.clusters.evaluations.advance('v', 'a.jsonl', { offset: 10, seq: 2, complete: false });
    expect(store.clusters.evaluations.cursor('v', 'a.jsonl')).toMatchObject({ offset: 10, seq: 2 });
    expect(store.clusters.cursor('v', 'a.jsonl')).toMatchObject({ offset: 0 });
    // Start-up interrupts only evaluations decoded here.
    expect(store.evaluations.markInterrupted('closed')).toEqual(['here']);
    expect(store.evaluations.get('v')!.status).toBe('running');
    store.close();
  });
});
