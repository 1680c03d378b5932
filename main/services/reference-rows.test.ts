import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import { freshWorkbench, REPO_ROOT } from './test-workbench';

let wb: ReturnType<typeof freshWorkbench>;
beforeEach(() => {
  wb = freshWorkbench();
});
afterEach(() => wb.close());

const mine = {
  model: 'My baseline',
  dataset: 'vqa_rad',
  mode: 'finetuned',
  metric: 'accuracy',
  value: 0.5,
  citation: 'Lab notebook 2026-11, table 2',
} as const;

describe('published reference rows', () => {
  it('carry exactly the figures of spec/published-results.md, each with its source', () => {
    const spec = join(REPO_ROOT, '..', 'shared', 'spec', 'published-results.md');
    expect(existsSync(spec), `${spec} is missing`).toBe(true);
    const text = readFileSync(spec, 'utf8');
    // | Instruct-BiomedGPT-S | 33M | 42.1% | 190 | 84.3 |
    const zs = [...text.matchAll(/^\| ([\w-]+) \| [^|]+ \| ([\d.]+)% \| (\d+) \| ([\d.]+) \|$/gm)];
    expect(zs).toHaveLength(6);
    const row = (model: string, metric: string) =>
      PUBLISHED_REFERENCE_ROWS.find((r) => r.model === model && r.metric === metric && r.mode === 'zeroshot');
    for (const [, model = '', acc, correct, context] of zs) {
      expect(row(model, 'accuracy')?.value).toBeCloseTo(Number(acc) / 100, 6);
      expect(row(model, 'accuracy')?.valueText).toContain(`(${correct} / 451)`);
      expect(row(model, 'alignment_accuracy')?.value).toBeCloseTo(Number(context) / 100, 6);
    }
    // | VQA-RAD | accuracy | 71.6 | github.com/... |
    const ft = [...text.matchAll(/^\| ([\w -]+) \| (accuracy|CIDEr) \| ([\d.]+)[^|]* \| ([^|]+) \|$/gm)];
    expect(ft).toHaveLength(6);
    for (const [, dataset = '', , value, where = ''] of ft) {
      const r = PUBLISHED_REFERENCE_ROWS.find(
        (x) => x.dataset === dataset && x.mode === 'finetuned' && x.model === 'BiomedGPT-Base',
      );
      expect(r?.value, dataset).toBeCloseTo(Number(value) / 100, 6);
      expect(r?.asQuoted, dataset).toBe(true); // the file says: mark them "as quoted"
      expect(r?.citation).toContain(where.trim().split(' ')[0]);
    }
    for (const r of PUBLISHED_REFERENCE_ROWS) expect(r.citation.length).toBeGreaterThan(10);
    expect(new Set(PUBLISHED_REFERENCE_ROWS.map((r) => r.id)).size).toBe(PUBLISHED_REFERENCE_ROWS.length);
  });
});

describe('referenceRows.*', () => {
  it('adds, lists (by dataset name, any spelling) and deletes the user’s rows beside the published ones', async () => {
    const added = await wb.invoke('referenceRows.add', mine);
    expect(added).toMatchObject({ ...mine, origin: 'user', asQuoted: false, params: null, split: 'test' });
    const vqaRad = await wb.invoke('referenceRows.list', { datasets: ['VQA-RAD'] });
    expect(vqaRad.filter((r) => r.origin === 'published').length).toBeGreaterThanOrEqual(14);
    expect(vqaRad.filter((r) => r.origin === 'user')).toEqual([added]);
    const zeroShot = await wb.invoke('referenceRows.list', { mode: 'zeroshot' });
    expect(zeroShot.every((r) => r.mode === 'zeroshot')).toBe(true);
    expect(await wb.invoke('referenceRows.delete', { id: added.id })).toEqual({ id: added.id });
    expect(await wb.invoke('referenceRows.list', { origin: 'user' })).toEqual([]);
  });

  it('refuses a row without a citation, naming the field, and published rows cannot be deleted', async () => {
    await expect(wb.invoke('referenceRows.add', { ...mine, citation: '' })).rejects.toMatchObject({
      field: 'citation',
    });
    await expect(
      wb.invoke('referenceRows.add', { ...mine, metric: 'magic' as 'accuracy' }),
    ).rejects.toMatchObject({ field: 'metric' });
    expect(await wb.invoke('referenceRows.list', { origin: 'user' })).toEqual([]);
    const published = PUBLISHED_REFERENCE_ROWS[0]!.id;
    await expect(wb.invoke('referenceRows.delete', { id: published })).rejects.toThrow(/cannot be deleted/);
    await expect(wb.invoke('referenceRows.delete', { id: 'nope' })).rejects.toThrow(/No reference row/);
  });
});
