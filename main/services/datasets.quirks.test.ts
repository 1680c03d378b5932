import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSkipped } from '#main/data/problems';
import { WorkbenchError } from '#shared/api/errors';
import type { SkippedRecord } from '#shared/domain/dataset';
import { freshWorkbench, sharedData, storeSnapshot } from './test-workbench';

// What public releases carry: the real files of ../shared/data with the quirks real releases have
// (an empty answer, a repeated record, a missing image, stray whitespace and case, a one-line
// JSON file, invalid UTF-8, a folder holding only the .npz), in temporary copies.
let ctx: ReturnType<typeof freshWorkbench>;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

const importPath = (path: string, extra: Record<string, unknown> = {}) =>
  ctx.invoke('datasets.import', { path, ...extra });

type VqaRecord = Record<string, unknown> & { qid: string | number; image_name: string; answer: unknown };

/** A copy of VQA-RAD: the JSON rewritten by `edit`, images linked from ../shared/data except `drop`. */
function vqaRadCopy(name: string, edit: (records: VqaRecord[]) => VqaRecord[], drop?: string): string {
  const dir = join(ctx.dir, name);
  mkdirSync(join(dir, 'images'), { recursive: true });
  const src = sharedData('vqa_rad');
  const records = JSON.parse(readFileSync(join(src, 'VQA_RAD Dataset Public.json'), 'utf8')) as VqaRecord[];
  writeFileSync(join(dir, 'VQA_RAD Dataset Public.json'), JSON.stringify(edit(records), null, 3));
  for (const f of readdirSync(join(src, 'images')))
    if (f !== drop) symlinkSync(join(src, 'images', f), join(dir, 'images', f));
  return dir;
}

describe('real releases with quirks', () => {
  it('VQA-RAD with one empty answer, a repeated record, a missing image and stray case: the rest imports', async () => {
    let dropped = '';
    let droppedQids: string[] = [];
    const dir = vqaRadCopy(
      'vqa-quirks',
      (records) => {
        dropped = records[40]!.image_name;
        droppedQids = records.filter((r) => r.image_name === dropped).map((r) => String(r.qid));
        records[7]!.answer = '  ';
        records[9]!.answer = '  YES ';
        records[9]!.answer_type = 'closed ';
        return [...records, { ...records[12]! }];
      },
      undefined,
    );
    // The image goes after the JSON was written (vqaRadCopy links every other image).
    const { unlinkSync } = await import('node:fs');
    unlinkSync(join(dir, 'images', dropped));
    const before = storeSnapshot(ctx);
    const strict = await importPath(dir, { options: { strict: true } }).catch((e: unknown) => e);
    expect(strict).toBeInstanceOf(WorkbenchError);
    expect((strict as Error).message).toMatch(/record 7: the field is empty \(field "answer"\)/);
    expect(storeSnapshot(ctx)).toEqual(before);

    const dry = await importPath(dir, { dryRun: true });
    const r = await importPath(dir);
    expect(r.skipped).toEqual(dry.skipped);
    const expected = 2248 - 1 - droppedQids.filter((q) => q !== '7').length;
    expect(r.examples).toBe(expected);
    const byId = new Map<string, SkippedRecord>(r.skipped.map((s) => [s.id, s]));
    expect(byId.get('7')).toMatchObject({ file: 'VQA_RAD Dataset Public.json', field: 'answer' });
    expect(byId.get('7')!.line).toBeGreaterThan(1);
    for (const q of droppedQids.filter((x) => x !== '7'))
      expect(byId.get(q)).toMatchObject({ field: 'image', reason: `the image file ${dropped} is missing` });
    const dup = r.skipped.find((s) => s.reason.startsWith('duplicate'));
    expect(dup?.id).toBe('12');
    expect(r.skippedCount).toBe(1 + droppedQids.filter((q) => q !== '7').length + 1);
    // Stray whitespace and case are normalised (an answer, an answer type), not skipped.
    expect(byId.has('9')).toBe(false);
    const nine = [...ctx.store.examples.iterate(r.datasetId!)].find((e) => e.meta['sourceId'] === '9')!;
    expect([nine.target, nine.meta['answerType']]).toEqual(['yes', 'closed']);
    // The dataset keeps the list in its provenance.
    const d = await ctx.invoke('datasets.get', { id: r.datasetId! });
    const prov = d.meta['provenance'] as { skipped: SkippedRecord[]; skippedCount: number };
    expect(prov.skipped).toEqual(r.skipped);
    expect(prov.skippedCount).toBe(r.skippedCount);
  });

  it('a one-line MeQSum JSON names each bad record by its File id, not file:1', async () => {
    const rows = JSON.parse(readFileSync(sharedData('meqsum', 'meqsum.json'), 'utf8')) as Record<
      string,
      string
    >[];
    rows[3]!.Summary = '';
    const id = rows[3]!.File!;
    const dir = join(ctx.dir, 'meqsum-one-line');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'meqsum.json'), JSON.stringify(rows));
    const r = await importPath(dir);
    expect(r.examples).toBe(999);
    expect(r.skipped.map(formatSkipped)).toEqual([
      `meqsum.json:1: record ${id}: the summary is missing or empty (field "Summary")`,
    ]);
  });

  it('invalid UTF-8 in a JSON file is refused with file, byte offset, line and column', async () => {
    const bytes = readFileSync(sharedData('pubmedqa', 'ori_pqal.json'));
    const at = bytes.indexOf(Buffer.from('"QUESTION"', 'latin1'), 5000) + 13;
    const bad = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xe9, 0x74]), bytes.subarray(at)]);
    const dir = join(ctx.dir, 'pubmedqa-latin1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ori_pqal.json'), bad);
    const before = storeSnapshot(ctx);
    const err = await importPath(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect((err as Error).message).toMatch(
      new RegExp(`ori_pqal\\.json:\\d+:\\d+: not valid UTF-8: invalid byte 0xE9 at byte offset ${at}`),
    );
    expect(storeSnapshot(ctx)).toEqual(before);
  });

  it('a folder holding only pneumoniamnist.npz (and its SOURCE.txt) is detected and imported', async () => {
    const folder = sharedData('medmnist_pneumonia');
    expect(await ctx.invoke('datasets.detect', { path: folder })).toEqual({
      format: 'medmnist',
      label: 'MedMNIST v2 (.npz)',
    });
    const r = await importPath(folder, { dryRun: true });
    expect(r.format).toBe('medmnist');
    expect(r.splits).toEqual({ train: 3882, validation: 524, test: 624 });
  });
});
