import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { openStore } from '#db/store';
import { tempDir } from '#db/test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('migration 0030 jobs', () => {
  it('keeps evaluations and predictions written before it and adds the queue', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 20 });
    before.exec(`
      INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES ('d', 'D', 'demo', 'vqa', 'h', 't');
      INSERT INTO examples (id, dataset_id, split, ordinal, task, inputs, target) VALUES (1, 'd', 'test', 0, 'vqa', '{"question":"q"}', 'yes');
      INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't');
      INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'running', 'cpu-xs', 'vqa', '{}', 't');
      INSERT INTO evaluations (id, run_id, dataset_id, split, mode, status, decoding, created_at) VALUES ('v', 'r', 'd', 'test', 'finetuned', 'succeeded', '{"strategy":"greedy"}', 't');
      INSERT INTO predictions (evaluation_id, example_id, prediction, reference, correct) VALUES ('v', 1, 'yes', 'yes', 1);
    `);
    before.close();

    const store = openStore(file);
    const evaluation = store.evaluations.get('v');
    expect(evaluation?.status).toBe('succeeded');
    expect(evaluation?.done).toBe(0);
    expect(evaluation?.experimentId).toBeNull();
    expect(store.predictions.page('v', { offset: 0, limit: 10 }).predictions).toMatchObject([
      { exampleId: 1, prediction: 'yes', correct: true, source: '', inputs: { question: 'q' } },
    ]);
    const job = store.jobs.enqueue({ kind: 'train', runId: 'r', device: 'cpu', spec: { a: 1 } });
    expect(store.jobs.next('cpu')?.id).toBe(job.id);
    // A job serves exactly one run or one evaluation.
    const raw = openDatabase(file);
    expect(() =>
      raw
        .prepare(
          "INSERT INTO jobs (kind, device, status, spec, created_at) VALUES ('train', 'cpu', 'queued', '{}', 't')",
        )
        .run(),
    ).toThrowError(/CHECK/);
    raw.close();
    store.runs.delete('r');
    expect(store.jobs.list()).toHaveLength(0);
    store.close();
  });
});
