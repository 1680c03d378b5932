import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '#main/cli/test-cli';
import {
  CUSTOM_TEST_CONFIG,
  python,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import { openWorkbench } from '#main/services/open';
import { weightsCheckpointPath } from '#main/services/weights';

let dir: string;
const home = () => join(dir, 'home');
const file = (n: string) => join(dir, n);

beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(join(tmpdir(), 'bw-cli-weights-'));
  mkdirSync(file('hf'));
  writeCheckpoints(dir, [
    {
      config: CUSTOM_TEST_CONFIG,
      files: [{ path: file('hf/pytorch_model.bin'), layout: 'hf-bin', dtype: 'fp16' }],
    },
  ]);
  writeDict(file('hf/dict.txt'), 20);
  writeDict(file('dict19.txt'), 19);
  python(`
import os, torch, collections
class Shell:
    def __reduce__(self): return (os.system, ("touch " + ${JSON.stringify(file('PWNED'))},))
torch.save(collections.OrderedDict(w=torch.zeros(2), x=Shell()), ${JSON.stringify(file('evil.bin'))})`);
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const cli = (argv: string[]) => runCliCaptured(argv, { BIOMED_HOME: home() });

/** Rows and stored folders: what a refused import must leave unchanged. */
function storeState() {
  const ctx = openWorkbench(home(), 'browser', { runJobs: false });
  try {
    const rows = ctx.store.weights.list().map((w) => w.id);
    return { rows, folders: existsSync(ctx.home.weights) ? readdirSync(ctx.home.weights).sort() : [] };
  } finally {
    ctx.close();
  }
}

describe('biomed weights', () => {
  it('imports (dry run first), lists, re-imports as the same record, and deletes', async () => {
    const dry = await cli(['weights', 'import', file('hf/pytorch_model.bin'), '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({
      ok: true,
      dryRun: true,
      record: null,
      detection: { sourceFormat: 'hf-bin', dtype: 'fp16', architecture: { preset: 'custom' } },
    });
    expect(storeState()).toEqual({ rows: [], folders: [] });

    const r = await cli(['weights', 'import', file('hf/pytorch_model.bin'), '--name', 'tiny HF']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^Imported .*pytorch_model\.bin \(hf-bin, fp16, model weights\): custom, [\d,]+ parameters/,
    );
    expect(r.out).toMatch(
      /\d+ keys: \d+ matched, 7 ignored .* 0 missing, 0 unexpected, 0 of the wrong shape; 25 Hugging Face names mapped/,
    );
    expect(r.err).toContain('convert:');
    const list = JSON.parse((await cli(['weights', 'list', '--json'])).out);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: 'tiny HF', vocabulary: { size: 9217 }, report: { missing: [] } });
    expect((await cli(['weights', 'list'])).out).toContain('tiny HF');

    const ctx = openWorkbench(home(), 'browser', { runJobs: false });
    try {
      const events: string[] = [];
      ctx.events.subscribe(
        (e, p) => e === 'onDidWeightsImportProgress' && events.push((p as { phase: string }).phase),
      );
      const again = await ctx.invoke('weights.import', { path: file('hf/pytorch_model.bin') });
      expect(again.record?.id).toBe(list[0].id);
      expect(events[0]).toBe('read');
      expect(events.at(-1)).toBe('done');
      expect(events).toContain('convert');
      expect(ctx.store.weights.list()).toHaveLength(1);
      expect(readdirSync(weightsCheckpointPath(ctx.store, list[0].id))).toEqual(['model.safetensors']);
      await expect(ctx.invoke('weights.get', { id: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      ctx.close();
    }
    const del = await cli(['weights', 'delete', list[0].id]);
    expect(del.out).toMatch(/^Deleted .* \(\d+\.\d MB\)/);
    expect(storeState()).toEqual({ rows: [], folders: [] });
  }, 300_000);

  it('refuses bad files with the key or global named, and stores nothing', async () => {
    const before = storeState();
    const vocab = await cli([
      'weights',
      'import',
      file('hf/pytorch_model.bin'),
      '--dict',
      file('dict19.txt'),
      '--json',
    ]);
    expect(vocab.code).toBe(1);
    expect(JSON.parse(vocab.out).error).toMatchObject({
      code: 'invalid_input',
      field: 'dictPath',
      message: expect.stringMatching(/nothing was stored: encoder\.embed_tokens\.weight has 9217 rows/),
    });
    const evil = await cli(['weights', 'import', file('evil.bin'), '--json']);
    expect(JSON.parse(evil.out).error).toMatchObject({
      code: 'invalid_input',
      field: 'path',
      message: expect.stringMatching(/refused global posix\.system/),
    });
    expect(existsSync(file('PWNED'))).toBe(false);
    const missing = await cli(['weights', 'import', file('nope.pt'), '--json']);
    expect(JSON.parse(missing.out).error.message).toMatch(/nope\.pt does not exist/);
    expect(storeState()).toEqual(before);
  }, 180_000);
});
