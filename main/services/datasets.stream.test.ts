import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as fx from '#main/data/fixtures/make-fixtures';
import { mimicCxrImporter } from '#main/data/importers/mimic-cxr';
import { Problems } from '#main/data/problems';
import { type ParsedBatch, STREAM_BATCH, type StreamedDataset } from '#main/data/types';
import { ImportRequest } from '#shared/api/datasets';
import type { ImportProgressEvent } from '#shared/domain/dataset';
import { importDataset } from './dataset-import';
import { freshWorkbench, storeSnapshot } from './test-workbench';

// Memory flat whatever the count (issue 22): MIMIC-CXR hands its examples over STREAM_BATCH at a
// time; the store prepares the images and stages the rows of each batch before it asks for the
// next, and the dataset appears only at the end, whole, or not at all.
let ctx: ReturnType<typeof freshWorkbench>;
let release: string;
const COUNT = 2 * STREAM_BATCH + 345;

/** A MIMIC-CXR-JPG-shaped release of `COUNT` tiny distinct JPEGs, every subject in train (so the import draws validation and test). */
async function mimicRelease(root: string): Promise<string> {
  const split = ['dicom_id,study_id,subject_id,split'];
  const tree: Record<string, string | Uint8Array> = {};
  for (let i = 0; i < COUNT; i++) {
    const subject = String(10_000_000 + Math.floor(i / 3));
    const study = String(50_000_000 + Math.floor(i / 2));
    const id = `${i.toString(16).padStart(8, '0')}-bde0afdd`;
    split.push(`${id},${study},${subject},train`);
    // Four flat 8 x 8 blocks, one hex digit of i each: distinct after JPEG's quantisation.
    const pixels = Buffer.alloc(16 * 16);
    for (let k = 0; k < pixels.length; k++) {
      const block = 2 * Math.floor(k / 128) + Math.floor((k % 16) / 8);
      pixels[k] = ((i >> (4 * block)) & 15) * 16 + 8;
    }
    const dir = `files/p${subject.slice(0, 2)}/p${subject}`;
    tree[`${dir}/s${study}/${id}.jpg`] = await sharp(pixels, { raw: { width: 16, height: 16, channels: 1 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    tree[`${dir}/s${study}.txt`] =
      `FINDINGS: Lungs are clear (${Math.floor(i / 2)}).\n\nIMPRESSION: No acute process.\n`;
  }
  tree['mimic-cxr-2.0.0-split.csv.gz'] = gzipSync(`${split.join('\n')}\n`);
  return fx.writeTree(root, tree);
}

beforeAll(async () => {
  ctx = freshWorkbench();
  release = await mimicRelease(join(ctx.dir, 'mimic'));
}, 60_000);
afterAll(() => ctx.close());

const request = (dryRun = false) =>
  ImportRequest.parse({ path: release, format: 'mimic-cxr', dryRun, options: {} });

/** Records when the importer hands over each batch of the stream parse returns. */
function watchBatches(log: string[]) {
  const parse = mimicCxrImporter.parse.bind(mimicCxrImporter);
  return vi.spyOn(mimicCxrImporter, 'parse').mockImplementation(async (...args) => {
    const d = (await parse(...args)) as StreamedDataset;
    async function* watched(): AsyncGenerator<ParsedBatch> {
      for await (const b of d.batches) {
        log.push(`handed ${b.examples.length}`);
        yield b;
      }
    }
    return { ...d, batches: watched() };
  });
}

/** Makes `stagedExamples.insertMany` run `before(call)` ahead of each staged batch. */
function onStage(before: (call: number) => void) {
  const insertMany = ctx.store.stagedExamples.insertMany;
  let call = 0;
  return vi.spyOn(ctx.store.stagedExamples, 'insertMany').mockImplementation((id, rows) => {
    before(++call);
    insertMany(id, rows);
  });
}

describe('a streamed import (MIMIC-CXR)', () => {
  it('reads the unpacked reports one batch of rows at a time, when the batch is made', async () => {
    const problems = new Problems();
    const d = (await mimicCxrImporter.parse(release, request().options, problems)) as StreamedDataset;
    const it = (d.batches as AsyncIterable<ParsedBatch>)[Symbol.asyncIterator]();
    expect((await it.next()).value?.examples).toHaveLength(STREAM_BATCH);
    // Study 50000750 (images 1500 and 1501, in the 2nd batch): its report goes after the 1st
    // batch is made. An importer that read every report up front would still have its target.
    const report = join(release, 'files/p10/p10000500/s50000750.txt');
    renameSync(report, `${report}.away`);
    try {
      const sizes: number[] = [];
      for (let b = await it.next(); !b.done; b = await it.next()) sizes.push(b.value.examples.length);
      expect(sizes).toEqual([STREAM_BATCH, 343]);
      expect(problems.skipped.map((x) => x.reason)).toEqual([
        'no report for study s50000750',
        'no report for study s50000750',
      ]);
    } finally {
      renameSync(`${report}.away`, report);
    }
  }, 60_000);

  it('keeps nothing when a later batch fails: no dataset, no staged rows, no new image', async () => {
    const before = storeSnapshot(ctx);
    const staged = ctx.store.stagedExamples;
    const noted: number[] = [];
    const spy = onStage((call) => {
      // The images stored anew are noted in the store (staged_blobs), not kept in memory, and
      // removed from there when the import fails.
      const [id] = staged.importIds();
      noted.push([...staged.created(id!, 300)].flat().length);
      if (call === 2) throw new Error('disk full');
    });
    try {
      await expect(importDataset(ctx, request())).rejects.toThrow('disk full');
      // The page cache lowered for the import is back to the connection's after a failure too.
      expect(ctx.store.pageCacheKiB()).toBe(16000);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(noted).toEqual([STREAM_BATCH, 2 * STREAM_BATCH]);
      expect(storeSnapshot(ctx)).toEqual(before);
      expect(ctx.store.stagedExamples.importIds()).toEqual([]);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it('an interrupt leaves no dataset and no staged rows, and keeps the images stored so far', async () => {
    const abort = new AbortController();
    const spy = onStage((call) => {
      if (call === 1) abort.abort();
    });
    try {
      await expect(importDataset(ctx, request(), undefined, abort.signal)).rejects.toThrow(
        `the import was interrupted after ${STREAM_BATCH} of ${COUNT} images; the ${STREAM_BATCH} stored so far are kept`,
      );
      expect(ctx.store.datasets.list()).toEqual([]);
      expect(ctx.store.stagedExamples.importIds()).toEqual([]);
      expect(ctx.store.blobs.list()).toHaveLength(STREAM_BATCH);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  it('stages each batch before the next is made, shows nothing until the end, and equals the whole-dataset path', async () => {
    const dry = await importDataset(ctx, request(true));
    const log: string[] = [];
    const watch = watchBatches(log);
    const insertMany = ctx.store.stagedExamples.insertMany;
    const stage = vi.spyOn(ctx.store.stagedExamples, 'insertMany').mockImplementation((id, rows) => {
      log.push(`staged ${rows.length}`);
      // No list or query sees the import while it runs; SQLite's page cache is held to 2 MB (issue 22).
      expect(ctx.store.datasets.list()).toEqual([]);
      expect(ctx.store.pageCacheKiB()).toBe(2000);
      insertMany(id, rows);
    });
    let id: string | null = null;
    try {
      const events: ImportProgressEvent[] = [];
      const r = await importDataset(ctx, request(), (e) => events.push(e));
      id = r.datasetId;
      // One images progress over the whole import (not per batch), with rate and time left.
      const shown = events.filter((e) => e.phase === 'images');
      expect(shown.every((e) => e.total === COUNT)).toBe(true);
      expect(shown.map((e) => e.done)).toEqual([...shown.map((e) => e.done)].sort((a, b) => a - b));
      expect(shown.at(-1)!.done).toBe(COUNT);
      expect(shown.some((e) => /\/s, about .* left, 1000 already stored$/.test(e.message))).toBe(true);
      expect(log).toEqual([
        `handed ${STREAM_BATCH}`,
        `staged ${STREAM_BATCH}`,
        `handed ${STREAM_BATCH}`,
        `staged ${STREAM_BATCH}`,
        'handed 345',
        'staged 345',
      ]);
      // The same dataset as the dry run (which reads it whole, through storeParsed): hash, splits, images.
      expect(r.examples).toBe(COUNT);
      expect(r.contentHash).toBe(dry.contentHash);
      expect(r.splits).toEqual(dry.splits);
      expect(r.tasks).toEqual(dry.tasks);
      // The re-run after the interrupt stores each example once and reuses the images stored then.
      expect(r.images).toEqual({ total: COUNT, new: COUNT - STREAM_BATCH, reused: STREAM_BATCH });
      expect(ctx.store.blobs.list()).toHaveLength(COUNT);
      expect(dry.images.total).toBe(COUNT);
      expect(r.splits.validation).toBeGreaterThan(0);
      expect(r.splits.test).toBeGreaterThan(0);
      // Ordinals 0..n-1 per split, in the release's order; no subject in two splits; nothing left staged.
      const subjects = new Map<string, string>();
      for (const split of ['train', 'validation', 'test'] as const) {
        const rows = ctx.store.examples.list(r.datasetId!, split);
        expect(rows.map((x) => x.ordinal)).toEqual(rows.map((_, i) => i));
        const seqs = rows.map((x) => Number.parseInt(String(x.meta['sourceId']), 16));
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        for (const x of rows) {
          const subject = Math.floor(Number.parseInt(String(x.meta['sourceId']), 16) / 3);
          expect(subjects.get(String(subject)) ?? split).toBe(split);
          subjects.set(String(subject), split);
        }
      }
      expect(ctx.store.stagedExamples.importIds()).toEqual([]);
      expect(ctx.store.pageCacheKiB()).toBe(16000);
    } finally {
      stage.mockRestore();
      watch.mockRestore();
    }
    // Rows a dead process left staged go at the next import; the same release again is a duplicate.
    ctx.store.transaction(() =>
      ctx.store.stagedExamples.insertMany('2147483646:gone', [
        {
          seq: 0,
          split: 'train',
          task: 'captioning',
          imageHash: null,
          inputs: {},
          target: 't',
          candidates: null,
          meta: {},
          group: 'example:0',
          official: false,
        },
      ]),
    );
    // ... and its repeat check's records and notes of images, even of an import that staged no example.
    ctx.store.transaction(() => {
      ctx.store.stagedExamples.firstRecords('2147483646:gone').set('k', { content: 'c', line: 2 });
      ctx.store.stagedExamples.addCreated('2147483645:gone', ['0'.repeat(64)]);
    });
    expect(ctx.store.stagedExamples.importIds().sort()).toEqual(['2147483645:gone', '2147483646:gone']);
    const again = await importDataset(ctx, request());
    expect(ctx.store.stagedExamples.importIds()).toEqual([]);
    expect(again.duplicateOf).toBe(id);
    expect(ctx.store.datasets.list()).toHaveLength(1);
  }, 120_000);
});
