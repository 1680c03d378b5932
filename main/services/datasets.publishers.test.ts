import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fx from '#main/data/fixtures/make-fixtures';
import * as pub from '#main/data/fixtures/publisher-fixtures';
import type { ImportReport } from '#shared/domain/dataset';
import { freshWorkbench } from './test-workbench';

// The downstream datasets of the papers, from small copies of each publisher's release written
// here in its exact layout; every import is auto-detected from the folder or file.
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
const jpegs: Uint8Array[] = [];
beforeAll(async () => {
  ctx = freshWorkbench();
  for (let k = 0; k < 12; k++) {
    const raw = Buffer.alloc(8 * 8 * 3, (k * 23) % 256);
    jpegs.push(
      new Uint8Array(
        await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
          .jpeg()
          .toBuffer(),
      ),
    );
  }
});
afterAll(() => ctx.close());

const folder = (files: Record<string, string | Uint8Array>) =>
  fx.writeTree(join(ctx.dir, `src-${n++}`), files);
const run = (path: string, extra: Record<string, unknown> = {}) =>
  ctx.invoke('datasets.import', { path, ...extra });
const examples = (id: string) => [...ctx.store.examples.iterate(id)];
/** The ids of the records an import reported as skipped, with the reason. */
const skipped = (r: ImportReport): Record<string, string> =>
  Object.fromEntries(
    r.problems.flatMap((p) => {
      const m = /^record (.+?) skipped: (.*)$/.exec(p.message);
      return m ? [[m[1]!, m[2]!]] : [];
    }),
  );
/** Each group of `groupOf` in exactly one split. */
const groupsInOneSplit = (
  rows: { split: string; meta: Record<string, unknown> }[],
  groupOf: (id: string) => string,
) => {
  const splits = new Map<string, Set<string>>();
  for (const e of rows) {
    const g = groupOf(String(e.meta['sourceId']));
    splits.set(g, (splits.get(g) ?? new Set()).add(e.split));
  }
  return [...splits.values()].every((s) => s.size === 1);
};

describe('MIMIC-CXR-JPG', () => {
  it('official split, reports from mimic-cxr-reports.zip, FINDINGS + IMPRESSION, skipped records by dicom_id', async () => {
    const { tree, subjectOf } = pub.mimicCxrRelease((k) => jpegs[k]!, 'zip');
    const r = await run(folder(tree));
    expect(r.format).toBe('mimic-cxr');
    expect(r.officialSplits).toEqual(['train', 'validation', 'test']);
    expect(r.splits).toEqual({ train: 4, validation: 1, test: 1 });
    expect(skipped(r)).toEqual({
      '096052b7-d256dc40-453a102b-fa7d01c6-1b22c6b4':
        'the report of study s56699142 has no FINDINGS or IMPRESSION',
      '3aa9a0a1-1b2b3c4c-5d6d7e8e-9f0f1a2a-3b4b5c6c':
        'subject 10000935 is already in train; kept out of test',
      '4bb0b1b2-2c3c4d5d-6e7e8f9f-0a1a2b3b-4c5c6d7d':
        'files/p10/p10000935/s58000003/4bb0b1b2-2c3c4d5d-6e7e8f9f-0a1a2b3b-4c5c6d7d.jpg is missing',
    });
    const ex = examples(r.datasetId!);
    const pa = ex.find((e) => e.meta['sourceId'] === '02aa804e-bde0afdd-112c0b34-7bc16630-4e384014')!;
    expect(pa.target).toBe('No focal consolidation is seen. No acute cardiopulmonary process.');
    expect(pa.meta).toMatchObject({ study: 's50414267', view: 'PA', modality: 'x-ray' });
    expect(ex.find((e) => e.meta['study'] === 's53189527')!.target).toBe('Mild pulmonary edema.');
    expect(groupsInOneSplit(ex, (id) => subjectOf[id]!)).toBe(true);
  });

  it('unpacked sNNNNNNNN.txt reports; frontal views only; a partial download reported per folder', async () => {
    const { tree } = pub.mimicCxrRelease((k) => jpegs[k]!, 'txt');
    for (const k of Object.keys(tree)) if (k.startsWith('files/p11/')) delete tree[k];
    const r = await run(folder(tree), { options: { views: 'frontal' } });
    expect(r.format).toBe('mimic-cxr');
    expect(r.examples).toBe(5); // the lateral image and the p11 subject are out
    const ex = examples(r.datasetId!);
    expect(ex.every((e) => e.meta['view'] === 'PA' || e.meta['view'] === 'AP')).toBe(true);
    expect(r.problems.some((p) => p.file === 'files/p11' && /1 record\(s\)/.test(p.message))).toBe(true);
  });
});

describe('MIMIC-III NOTEEVENTS', () => {
  it('streams the gzipped CSV: radiology reports to findings -> impression, grouped by patient', async () => {
    const { text, subjectOf } = pub.noteEvents();
    const dir = folder({
      'NOTEEVENTS.csv.gz': pub.gz(text),
      'PATIENTS.csv.gz': pub.gz('ROW_ID,SUBJECT_ID\n'),
    });
    const r = await run(dir, { options: { validationFraction: 0.2, testFraction: 0.2 } });
    expect([r.format, r.task, r.examples]).toEqual(['mimic-iii-notes', 'summarization', 12]);
    expect(r.splits.validation).toBeGreaterThan(0);
    expect(r.splits.test).toBeGreaterThan(0);
    expect(skipped(r)).toEqual({
      '201': 'flagged as an error by the hospital (ISERROR = 1)',
      '202': 'the report has no IMPRESSION section',
    });
    const ex = examples(r.datasetId!);
    const first = ex.find((e) => e.meta['sourceId'] === '101')!;
    expect(first.inputs['source']).toBe('No hemorrhage 0-0. "quoted" words, and commas.');
    expect(first.target).toBe('No acute intracranial process 0-0.');
    expect(groupsInOneSplit(ex, (id) => subjectOf[id]!)).toBe(true);
  });

  it('detects the unpacked file itself; limit stops the stream early', async () => {
    const dir = folder({ 'NOTEEVENTS.csv': pub.noteEvents().text });
    const r = await run(join(dir, 'NOTEEVENTS.csv'), { dryRun: true, options: { limit: 3 } });
    expect([r.format, r.examples]).toEqual(['mimic-iii-notes', 3]);
  });
});
