import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import { connectionOf } from '#db/internal';
import { openStore } from '#db/store';
import { tempDir } from '#db/test-helpers';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const row = {
  model: 'BiomedGPT-Base',
  family: null,
  scale: 'Base',
  params: 182_000_000,
  dataset: 'VQA-RAD',
  task: 'vqa',
  split: 'test' as const,
  mode: 'finetuned' as const,
  metric: 'accuracy' as const,
  metricLabel: null,
  value: 0.716,
  valueText: '71.6',
  n: null,
  citation: 'arXiv 2305.17100, as quoted in issue #6',
  url: 'https://github.com/taokz/BiomedGPT/issues/6',
  asQuoted: true,
  note: '',
};

describe('migration 0050 reference rows', () => {
  it('keeps what was stored before and adds the table of user reference rows', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 40 });
    before.exec(`
      INSERT INTO datasets (id, name, format, task, content_hash, created_at) VALUES ('d', 'VQA-RAD', 'vqa-rad', 'vqa', 'h', 't');
      INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't');
      INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'succeeded', 'cpu-xs', 'vqa', '{}', 't');
    `);
    before.close();

    const store = openStore(file);
    expect(store.runs.get('r')?.name).toBe('R');
    expect(store.datasets.list().map((d) => d.name)).toEqual(['VQA-RAD']);
    const added = store.referenceRows.insert(row);
    expect(added).toMatchObject({ ...row, origin: 'user' });
    expect(store.referenceRows.list()).toEqual([added]);
    // a row without a citation is refused by the schema itself
    const raw = connectionOf(store);
    expect(() =>
      raw
        .prepare(
          "INSERT INTO reference_rows (id, model, dataset, split, mode, metric, value, citation, created_at) VALUES ('x', 'm', 'd', 'test', 'zeroshot', 'accuracy', 0.5, '', 't')",
        )
        .run(),
    ).toThrowError(/CHECK/);
    expect(store.referenceRows.delete(added.id)).toBe(true);
    expect(store.referenceRows.delete(added.id)).toBe(false);
    store.close();
  });
});
