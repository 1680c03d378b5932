import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '#db/connection';
import type { NewWeights } from '#db/repos/weights';
import { openStore } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { PRESETS } from '#shared/model/presets';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const record = (id: string): NewWeights => ({
  id,
  name: 'BiomedGPT-S',
  architecture: { preset: 'S', config: PRESETS.S },
  parameterCount: 33_000_000,
  sourcePath: '/x/biomedgpt_tiny.pt',
  sourceFormat: 'fairseq-pt',
  sourceBytes: 123,
  dtype: 'fp16',
  tensorSource: 'ema',
  emaUsed: true,
  fairseqArch: 'ofa_tiny',
  vocabulary: { kind: 'fairseq', size: 59_457, dictPath: '/x/dict.txt', dictSha256: 'ab' },
  sha256: 'f'.repeat(64),
  storedPath: '/h/weights/w1/model.safetensors',
  storedBytes: 456,
  report: {
    matched: ['encoder.embed_tokens.weight'],
    missing: [],
    unexpected: [],
    wrongShape: [],
    ignored: [{ key: 'encoder.version', reason: 'version' }],
    renamed: 0,
    problems: [],
    totalKeys: 2,
  },
});

describe('migration 0040 weights', () => {
  it('keeps the runs written before it and adds the weights library', () => {
    const file = join(tmp.dir, 'w.sqlite');
    const before = openDatabase(file, { targetVersion: 30 });
    before.exec(`
      INSERT INTO experiments (id, name, kind, config, config_hash, created_at) VALUES ('e', 'E', 'finetune', '{}', 'h', 't');
      INSERT INTO runs (id, experiment_id, name, status, scale, task, config, created_at) VALUES ('r', 'e', 'R', 'succeeded', 'S', 'vqa', '{}', 't');
    `);
    before.close();

    const store = openStore(file);
    expect(store.runs.get('r')?.name).toBe('R');
    expect(store.weights.list()).toEqual([]);
    const w = store.weights.insert(record('w1'));
    expect(w).toMatchObject({ ...record('w1'), createdAt: expect.any(String) });
    expect(store.weights.findBySha256('f'.repeat(64))?.id).toBe('w1');
    expect(() => store.weights.insert({ ...record('w2'), sourceFormat: 'zip' as never })).toThrowError(
      /CHECK/,
    );
    expect(store.weights.delete('w1')).toBe(true);
    expect(store.weights.get('w1')).toBeUndefined();
    store.close();
  });
});
