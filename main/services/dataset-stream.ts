import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '#db/repos/experiments';
import type { StagedExample } from '#db/repos/staged-examples';
import { ImportAborted, type Problems } from '#main/data/problems';
import { assignSplits } from '#main/data/splits';
import type { StreamedDataset } from '#main/data/types';
import { processAlive } from '#main/jobs/scheduler-lock';
import type { ImportOptions, ImportReport, Split } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import { prepareImages } from './dataset-images';
import {
  datasetIdFor,
  discardCreated,
  exampleMeta,
  type FirstRecords,
  groupOf,
  insertDataset,
  keepValid,
  type ProgressFn,
  refOf,
  throwProblems,
} from './dataset-store';

// A streamed import (issue 22: memory flat whatever the count). Each batch the importer hands
// over is checked, its images prepared and its rows staged (`staged_examples`) before the next
// is asked for. What stays per example is a group number and an official split (8 bytes) and the
// digest of its id for the repeat check; the splits are drawn at the end, the content hash read
// back from the staged rows, and the dataset and its examples appear in ONE transaction.

const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/**
 * SQLite's page cache while a streamed import runs, in KiB (SQLite's own default; better-sqlite3
 * builds it with 16,000). Measured with `bench/import-large.ts --rows 20000`: the 16 MB cache of
 * the connection (and the sorter and window table of `publish`, sized from it) filled as the
 * staged rows grew, most of the peak RSS per row beyond the JavaScript heap (3.3 KB per row
 * against 0.95 with 1 MB). The staged rows, blobs and sources are written mostly in key order,
 * so a small cache costs little.
 */
const IMPORT_PAGE_CACHE_KIB = 2000;

/** The imports of this process in progress (the staged rows of any other dead process are removed). */
const active = new Set<string>();

/** Removes the staged rows imports left when their process died (or, in this one, ended without cleaning). */
function removeStale(ctx: ServiceContext): void {
  for (const id of ctx.store.stagedExamples.importIds()) {
    const pid = Number(id.split(':')[0]);
    if (active.has(id) || (pid !== process.pid && processAlive(pid))) continue;
    ctx.store.transaction(() => ctx.store.stagedExamples.clear(id));
  }
}

/** A growable array of small numbers. */
class Column {
  data = new Int32Array(1024);
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = v;
  }
}

/**
 * Writes a streamed dataset (not a dry run: `collected` makes a dry run's one parsed dataset).
 * As `storeParsed`: the same checks, splits, content hash, report and all-or-nothing result; on
 * any error the staged rows and the blob files this import created go, on an interrupt the images
 * stored so far stay for a re-run to reuse.
 */
export async function storeStreamed(
  ctx: ServiceContext,
  parsed: StreamedDataset,
  request: {
    options: ImportOptions;
    sourcePath: string | null;
    name?: string | undefined;
    signal?: AbortSignal | undefined;
  },
  problems: Problems,
  progress: ProgressFn,
): Promise<ImportReport> {
  const started = performance.now();
  const { options, signal } = request;
  const staged = ctx.store.stagedExamples;
  removeStale(ctx);
  const importId = `${process.pid}:${randomUUID()}`;
  active.add(importId);
  const pageCache = ctx.store.pageCacheKiB(Math.min(IMPORT_PAGE_CACHE_KIB, ctx.store.pageCacheKiB()));
  const created: string[] = [];
  const seen: FirstRecords = new Map();
  const groups = new Map<string, number>();
  const group = new Column();
  const officialSplit = new Column();
  let count = 0;
  let read = 0;
  const span = { done: 0, reused: 0, stored: 0, total: parsed.total, started };
  try {
    try {
      for await (const batch of parsed.batches) {
        const entries = batch.examples.map((e) => ({ e, ref: refOf(parsed.name, e, read++) }));
        const candidates = keepValid(entries, new Map(), problems, seen);
        const images = await prepareImages(
          ctx,
          candidates.map((c) => c.e),
          batch.images,
          options,
          false,
          problems,
          progress,
          signal,
          span,
        );
        created.push(...images.created);
        span.done += images.hashes.size + images.failed.size;
        span.reused += images.reused;
        span.stored += images.created.length + images.reused;
        const valid = keepValid(candidates, images.failed, problems).map((c) => c.e);
        // After an error, read on so every problem is named, but stage nothing more.
        if (problems.errorCount > 0) continue;
        const rows = valid.map((e, i): StagedExample => {
          const seq = count + i;
          const img = e.image === undefined ? undefined : images.hashes.get(e.image);
          const key = groupOf(e, img, seq);
          if (!groups.has(key)) groups.set(key, groups.size);
          group.set(seq, groups.get(key)!);
          officialSplit.set(seq, e.split ? SPLITS.indexOf(e.split) + 1 : 0);
          return {
            seq,
            split: e.split ?? 'train',
            task: e.task,
            imageHash: img?.hash ?? null,
            inputs: e.inputs,
            target: e.target,
            candidates: e.candidates ? [...e.candidates] : null,
            meta: exampleMeta(e, img),
          };
        });
        ctx.store.transaction(() => staged.insertMany(importId, rows));
        count += rows.length;
      }
    } catch (err) {
      if (!(err instanceof ImportAborted)) throw err;
    }
    const name = request.name ?? parsed.name;
    if (count === 0 && problems.errorCount === 0)
      problems.error(
        request.sourcePath ?? name,
        problems.skippedCount > 0
          ? `no examples left: all ${problems.skippedCount} record(s) were skipped`
          : 'no examples found',
      );
    if (problems.errorCount > 0) throwProblems(problems, `Import of ${parsed.name} failed`);

    // The splits, drawn from the groups as `storeParsed` draws them; only the drawn ones are written.
    const names = [...groups.keys()];
    groups.clear();
    const items = Array.from({ length: count }, (_, k) => {
      const s = officialSplit.data[k]!;
      return s === 0
        ? { group: names[group.data[k]!]! }
        : { group: names[group.data[k]!]!, split: SPLITS[s - 1]! };
    });
    const { splits, official } = assignSplits(items, options);
    const drawn = function* () {
      for (const [k, s] of splits.entries()) if (s !== (items[k]!.split ?? 'train')) yield [k, s] as const;
    };
    ctx.store.transaction(() => staged.setSplits(importId, drawn()));

    // The content hash of the records in order, exactly as `storeParsed` computes it.
    const hash = createHash('sha256').update(parsed.format);
    for (const x of staged.contents(importId)) {
      hash.update(canonicalJson([x.split, x.task, x.inputs, x.target, x.candidates, x.imageHash]));
      hash.update('\n');
    }
    const contentHash = hash.digest('hex');
    const duplicateOf = ctx.store.datasets.findByContentHash(contentHash) ?? null;
    const ordinals: Record<Split, number> = { train: 0, validation: 0, test: 0 };
    const tasks: Record<string, Record<string, number>> = {};
    for (const { task, split, n } of staged.counts(importId)) {
      tasks[task] = { ...tasks[task], [split]: n };
      ordinals[split] += n;
    }
    const total = staged.imageCount(importId);
    const fresh = staged.usedCount(importId, created);
    const report: ImportReport = {
      dryRun: false,
      datasetId: duplicateOf ?? datasetIdFor(name, contentHash),
      duplicateOf,
      name,
      format: parsed.format,
      task: parsed.task,
      examples: count,
      splits: ordinals,
      tasks,
      officialSplits: official,
      images: { total, new: fresh, reused: span.reused },
      problems: [...problems.list],
      skipped: [...problems.skipped],
      skippedCount: problems.skippedCount,
      contentHash,
      elapsedMs: 0,
    };
    if (duplicateOf) {
      staged.clear(importId);
      discardCreated(ctx, created);
      return { ...report, elapsedMs: performance.now() - started };
    }
    progress('write', 0, count, `writing ${count} examples`);
    const id = report.datasetId!;
    ctx.store.transaction(() => {
      insertDataset(ctx, { id, name, contentHash, sourcePath: request.sourcePath }, parsed, {
        official,
        options,
        problems,
        reused: span.reused,
      });
      staged.publish(importId, id);
    });
    progress('write', count, count, 'done');
    return { ...report, elapsedMs: performance.now() - started };
  } catch (err) {
    ctx.store.transaction(() => staged.clear(importId));
    if (!signal?.aborted) discardCreated(ctx, created);
    throw err;
  } finally {
    active.delete(importId);
    ctx.store.pageCacheKiB(pageCache);
  }
}
