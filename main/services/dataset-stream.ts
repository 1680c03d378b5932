import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '#db/repos/experiments';
import type { StagedExample } from '#db/repos/staged-examples';
import { NumberColumn } from '#main/data/columns';
import { ImportAborted, type Problems } from '#main/data/problems';
import { drawGroups, splitsToDraw } from '#main/data/splits';
import type { StreamedDataset } from '#main/data/types';
import { processAlive } from '#main/jobs/scheduler-lock';
import type { ImportOptions, ImportReport, Split } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import { prepareImages } from './dataset-images';
import {
  datasetIdFor,
  discardCreated,
  exampleMeta,
  groupOf,
  insertDataset,
  keepValid,
  type ProgressFn,
  refOf,
  throwProblems,
} from './dataset-store';

// A streamed import (issue 22: memory flat whatever the count). Each batch the importer hands
// over is checked, its images prepared and its rows staged (`staged_examples`) before the next
// is asked for. Nothing stays in memory per example: its group and official split are columns of
// its staged row, the repeat check's digests (`staged_records`) and the images stored anew
// (`staged_blobs`) are rows of the store too; the splits are drawn at the end from the staged
// groups, the content hash read back from the staged rows, and the dataset and its examples
// appear in ONE transaction.

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

/** Removes the images this import stored anew that no example uses, a page of them at a time. */
function discardStaged(ctx: ServiceContext, importId: string): void {
  for (const page of ctx.store.stagedExamples.created(importId)) discardCreated(ctx, page);
}

/**
 * Draws the missing splits from the staged groups as `assignSplits` draws them for a whole
 * dataset, holding one number per group that can be drawn (their names are read again for the
 * drawn ones); sets them on the staged rows. Returns the official splits.
 */
function drawStagedSplits(ctx: ServiceContext, importId: string, options: ImportOptions): Split[] {
  const staged = ctx.store.stagedExamples;
  const present = new Set(staged.officialSplits(importId));
  const official = SPLITS.filter((s) => present.has(s));
  const draw = splitsToDraw(present, options);
  if (draw.length === 0) return official;
  const trainTotal = staged
    .counts(importId)
    .filter((c) => c.split === 'train')
    .reduce((n, c) => n + c.n, 0);
  // The groups in JavaScript's order (UTF-16 units), as `assignSplits` sorts them: SQLite's (code
  // points) is the same unless a name mixes characters beyond U+FFFF with ones from U+E000; then
  // the names are sorted here.
  const sizes = new NumberColumn();
  let inOrder = true;
  let last: string | undefined;
  for (const { grp, n } of staged.trainGroups(importId)) {
    if (last !== undefined && !(last < grp)) inOrder = false;
    last = grp;
    sizes.push(n);
  }
  const sorted = inOrder
    ? undefined
    : [...staged.trainGroups(importId)].sort((a, b) => (a.grp < b.grp ? -1 : 1));
  const moved = drawGroups(sorted ? sorted.map((g) => g.n) : sizes.values(), trainTotal, draw, options);
  const changes: [string, Split][] = [];
  let k = 0;
  for (const { grp } of sorted ?? staged.trainGroups(importId)) {
    const s = moved.get(k++);
    if (s) changes.push([grp, s]);
  }
  ctx.store.transaction(() => staged.setGroupSplits(importId, changes));
  return official;
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
  const seen = staged.firstRecords(importId);
  let count = 0;
  let read = 0;
  const span = { done: 0, reused: 0, stored: 0, total: parsed.total, started };
  try {
    try {
      for await (const batch of parsed.batches) {
        const entries = batch.examples.map((e) => ({ e, ref: refOf(parsed.name, e, read++) }));
        const candidates = ctx.store.transaction(() => keepValid(entries, new Map(), problems, seen));
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
        ctx.store.transaction(() => staged.addCreated(importId, images.created));
        span.done += images.hashes.size + images.failed.size;
        span.reused += images.reused;
        span.stored += images.created.length + images.reused;
        const valid = keepValid(candidates, images.failed, problems).map((c) => c.e);
        // After an error, read on so every problem is named, but stage nothing more.
        if (problems.errorCount > 0) continue;
        const rows = valid.map((e, i): StagedExample => {
          const seq = count + i;
          const img = e.image === undefined ? undefined : images.hashes.get(e.image);
          return {
            seq,
            group: groupOf(e, img, seq),
            official: e.split !== undefined,
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

    // The splits, drawn from the staged groups as `storeParsed` draws them.
    const official = drawStagedSplits(ctx, importId, options);

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
    const fresh = staged.usedCount(importId);
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
      discardStaged(ctx, importId);
      ctx.store.transaction(() => staged.clear(importId));
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
    try {
      if (!signal?.aborted) discardStaged(ctx, importId);
    } finally {
      ctx.store.transaction(() => staged.clear(importId));
    }
    throw err;
  } finally {
    active.delete(importId);
    ctx.store.pageCacheKiB(pageCache);
  }
}
