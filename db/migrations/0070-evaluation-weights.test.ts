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

describe('migration 0070 evaluation weights', () => {
  it('keeps evaluations written before it; new ones can name imported weights', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 60 });
    before.exec(`
      INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES ('d', 'D', 'demo', 'vqa', 'h', 't');
      INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't');
      INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'succeeded', 'cpu-xs', 'vqa', '{}', 't');
      INSERT INTO evaluations (id, run_id, dataset_id, split, mode, status, decoding, created_at) VALUES ('v', 'r', 'd', 'test', 'finetuned', 'succeeded', '{"strategy":"greedy"}', 't');
    `);
    before.close();
    const store = openStore(file);
    expect(store.evaluations.get('v')).toMatchObject({ runId: 'r', weightsId: null, weightsName: null });
    expect(store.evaluations.list({ weightsId: 'w' })).toEqual([]);
    store.close();
  });
});
