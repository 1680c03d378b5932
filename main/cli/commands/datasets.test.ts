import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';
import { mednliFiles, writeTree } from '#main/data/fixtures/make-fixtures';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-cli-ds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cli = (argv: string[]) => runCliCaptured(argv, { BIOMED_HOME: join(dir, 'home') });

describe('biomed datasets', () => {
  it('imports with --json (dataset id, format, counts per split and per task) and lists', async () => {
    const src = writeTree(join(dir, 'mednli'), mednliFiles());
    const dry = await cli(['datasets', 'import', src, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({
      dryRun: true,
      datasetId: null,
      format: 'mednli',
      examples: 4,
    });
    expect(JSON.parse((await cli(['datasets', 'list', '--json'])).out)).toEqual([]);
    const r = await cli(['datasets', 'import', src, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json).toMatchObject({
      format: 'mednli',
      splits: { train: 2, validation: 1, test: 1 },
      tasks: { text_understanding: { train: 2, validation: 1, test: 1 } },
    });
    expect(json.datasetId).toMatch(/^mednli-[0-9a-f]{8}$/);
    const list = JSON.parse((await cli(['datasets', 'list', '--json'])).out);
    expect(list.map((d: { id: string }) => d.id)).toEqual([json.datasetId]);
    expect((await cli(['datasets', 'list'])).out).toContain(json.datasetId);
  });

  it('skips a bad record and names it; --strict refuses the whole import', async () => {
    const files = mednliFiles();
    const src = writeTree(join(dir, 'one-bad'), {
      ...files,
      'mli_test_v1.jsonl': `${files['mli_test_v1.jsonl']}{"pairID": "p-9", "sentence1": "a", "sentence2": " ", "gold_label": "neutral"}\n`,
    });
    const listed = async () => JSON.parse((await cli(['datasets', 'list', '--json'])).out).length as number;
    const before = await listed();
    const strict = await cli(['datasets', 'import', src, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/mli_test_v1\.jsonl:\d+: record p-9: sentence2 is missing or empty/);
    expect(await listed()).toBe(before);
    const dry = await cli(['datasets', 'import', src, '--dry-run', '--json']);
    expect(JSON.parse(dry.out).skipped).toEqual([
      {
        file: 'mli_test_v1.jsonl',
        id: 'p-9',
        field: 'sentence2',
        reason: 'sentence2 is missing or empty',
        line: 2,
      },
    ]);
    const r = await cli(['datasets', 'import', src]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Imported MedNLI .*: 4 examples .*1 record skipped/);
    expect(r.err).toMatch(/skipped: mli_test_v1\.jsonl:2: record p-9: sentence2 is missing or empty/);
  });

  it('exits 1 with file:line on bad input and 2 on bad usage', async () => {
    const src = writeTree(join(dir, 'bad'), {
      'mli_train_v1.jsonl': '{"sentence1": "a", "sentence2": "b", "gold_label": "?"}\n',
    });
    const r = await cli(['datasets', 'import', src, '--format', 'mednli']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/mli_train_v1\.jsonl:1: record \[0\]: unknown label "\?"/);
    expect((await cli(['datasets', 'import'])).code).toBe(2);
    expect((await cli(['datasets', 'import', src, '--format', 'nope'])).code).toBe(2);
  });
});
