import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { openStore } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { evaluationPipeline } from '#shared/evaluation-pipelines';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('migration 0080 evaluation pipeline', () => {
  it('keeps evaluations written before it (pipeline null); new ones store theirs', () => {
    const file = join(tmp.dir, 'p.sqlite');
    const before = openDatabase(file, { targetVersion: 70 });
    before.exec(`
      INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES ('d', 'D', 'demo', 'captioning', 'h', 't');
      INSERT INTO evaluations (id, dataset_id, split, mode, status, decoding, created_at) VALUES ('v', 'd', 'test', 'zeroshot', 'succeeded', '{"strategy":"greedy"}', 't');
    `);
    before.close();
    const store = openStore(file);
    expect(store.evaluations.get('v')?.pipeline).toBeNull();
    const pipeline = evaluationPipeline('captioning');
    const e = store.evaluations.insert({
      runId: null,
      experimentId: null,
      checkpointId: null,
      checkpointPath: '/x',
      datasetId: 'd',
      split: 'test',
      mode: 'zeroshot',
      decoding: { strategy: 'beam', beam: 10, maxLength: 32, noRepeatNgram: 3, lenpen: 1 },
      pipeline,
    });
    expect(store.evaluations.get(e.id)?.pipeline).toEqual(pipeline);
    expect(pipeline.metrics).toEqual(['rougeL_coco', 'cider']);
    store.close();
  });
});
