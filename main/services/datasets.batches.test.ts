import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NewExample } from '#db/repos/examples';
import { canonicalJson } from '#db/repos/experiments';
import * as fx from '#main/data/fixtures/make-fixtures';
import { ImportRequest } from '#shared/api/datasets';
import type { ImportProgressEvent } from '#shared/domain/dataset';
import { importDataset } from './dataset-import';
import { WRITE_BATCH } from './dataset-store';
import { freshWorkbench, storeSnapshot } from './test-workbench';

// Memory flat whatever the count (issue 22): the examples are built and inserted WRITE_BATCH at a
// time, never all at once, with the same content hash and the same all-or-nothing write.
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
beforeAll(() => {
  ctx = freshWorkbench();
});
afterAll(() => ctx.close());

const COUNT = 2 * WRITE_BATCH + 345;

/** A JSONL file of `COUNT` text records (no split: the import draws them). */
function textRecords(tag: string): string {
  const lines = Array.from({ length: COUNT }, (_, i) =>
    JSON.stringify({ instruction: `Define term ${i} (${tag}).`, output: `Definition ${i}.` }),
  );
  return `${fx.writeTree(join(ctx.dir, `text-${n++}`), { 'terms.jsonl': `${lines.join('\n')}\n` })}/terms.jsonl`;
}

const request = (path: string) => ImportRequest.parse({ path, format: 'jsonl', options: {} });

describe('the examples are written in batches', () => {
  it(`inserts at most ${WRITE_BATCH} examples per call, hashes what it wrote, reports each batch`, async () => {
    const calls: NewExample[][] = [];
    const insertMany = ctx.store.examples.insertMany;
    const spy = vi.spyOn(ctx.store.examples, 'insertMany').mockImplementation((id, rows) => {
      calls.push([...rows]);
      insertMany(id, rows);
    });
    const events: ImportProgressEvent[] = [];
    try {
      const r = await importDataset(ctx, request(textRecords('a')), (e) => events.push(e));
      expect(calls.map((c) => c.length)).toEqual([WRITE_BATCH, WRITE_BATCH, 345]);
      expect(r.examples).toBe(COUNT);
      const written = calls.flat();
      // The content hash is that of the records as inserted, in order.
      const hash = createHash('sha256').update('jsonl');
      for (const x of written) {
        hash.update(canonicalJson([x.split, x.task, x.inputs, x.target, x.candidates, x.imageHash]));
        hash.update('\n');
      }
      expect(r.contentHash).toBe(hash.digest('hex'));
      // Ordinals run 0..n-1 per split across batches, and the store holds exactly what was written.
      for (const split of ['train', 'validation', 'test'] as const) {
        const mine = written.filter((x) => x.split === split);
        expect(mine.map((x) => x.ordinal)).toEqual(mine.map((_, i) => i));
        expect(r.splits[split]).toBe(mine.length);
        const stored = ctx.store.examples.list(r.datasetId!, split);
        expect(stored.map((x) => [x.ordinal, x.target])).toEqual(mine.map((x) => [x.ordinal, x.target]));
      }
      expect(events.filter((e) => e.phase === 'write').map((e) => e.done)).toEqual([
        0,
        WRITE_BATCH,
        2 * WRITE_BATCH,
        COUNT,
      ]);
      // The same records again are found as a duplicate by that hash.
      const again = await importDataset(ctx, request(textRecords('a')));
      expect(again.duplicateOf).toBe(r.datasetId);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps nothing of the dataset when a later batch fails', async () => {
    const before = storeSnapshot(ctx);
    const insertMany = ctx.store.examples.insertMany;
    let call = 0;
    const spy = vi.spyOn(ctx.store.examples, 'insertMany').mockImplementation((id, rows) => {
      if (++call === 3) throw new Error('disk full');
      insertMany(id, rows);
    });
    try {
      await expect(importDataset(ctx, request(textRecords('b')))).rejects.toThrow('disk full');
      expect(call).toBe(3);
      expect(storeSnapshot(ctx)).toEqual(before);
    } finally {
      spy.mockRestore();
    }
  });
});
