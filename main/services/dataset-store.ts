import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { BlobStore } from '#db/blob-store';
import type { BlobRecord } from '#db/repos/blobs';
import type { NewExample } from '#db/repos/examples';
import { canonicalJson } from '#db/repos/experiments';
import type { ImageSourceRecord } from '#db/repos/image-sources';
import { ImageError, type PreparedImage, prepareImage, sourceName } from '#main/data/images/prepare';
import { formatProblem, formatSkipped, type Problems, type RecordRef } from '#main/data/problems';
import { assignSplits } from '#main/data/splits';
import type { ParsedDataset, ParsedExample } from '#main/data/types';
import { sharedImagePool } from '#main/jobs/image-pool';
import { WorkbenchError } from '#shared/api/errors';
import type { ImportOptions, ImportReport, Split } from '#shared/domain/dataset';
import type { ServiceContext } from './context';

/** Progress callback: phase, done, total, message. */
export type ProgressFn = (phase: 'images' | 'write', done: number, total: number, message: string) => void;

/**
 * How many images are in work at once: one per core (sharp decodes on libuv's threads, the image
 * pool's threads do the rest), plus one so a thread never waits for the main thread's writes.
 */
const IMAGE_CONCURRENCY = Math.max(2, availableParallelism()) + 1;

/** Imports with fewer image files to decode than this prepare them on the main thread (no thread start-up). */
const POOL_MIN = 16;

/** Blob and source rows are committed every `BATCH` new images, so an interrupted import keeps them. */
const BATCH = 64;

/**
 * Files larger than this count against `LARGE_BUDGET`: a 4,000 x 5,000 16-bit mammogram (40 MB)
 * holds about three times its size while it is parsed, rendered and downscaled.
 */
const LARGE_FILE = 16 * 2 ** 20;

/**
 * Source bytes of large files in work at once (one file is always admitted), so memory stays flat:
 * one 40 MB mammogram at a time (two at once peak near 560 MB), two 25 MB files.
 */
const LARGE_BUDGET = 64 * 2 ** 20;

/** Files the main thread hands to sharp (libvips decodes them on its own threads); the rest go to the image pool. */
const LIBVIPS_FILE = /\.(jpe?g|png)$/i;

/** Examples are built and inserted this many at a time (the import never holds all its rows as store records). */
export const WRITE_BATCH = 1000;

/**
 * What the import keeps of a prepared image until its examples are written: no bytes (on disk, or
 * dropped in a dry run), no source hash (in its `image_sources` row already).
 */
type ImageInfo = Pick<PreparedImage, 'hash' | 'mime' | 'width' | 'height' | 'meta' | 'grouping'> & {
  readonly size: number;
};

/** One shared empty object for the images without metadata or grouping keys (all JPEGs and PNGs). */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

/** The part of a prepared image kept per row, empty objects shared. */
function infoOf(img: PreparedImage | (ImageInfo & { sourceSha256?: string })): ImageInfo {
  const empty = (o: object) => Object.keys(o).length === 0;
  return {
    hash: img.hash,
    mime: img.mime,
    width: img.width,
    height: img.height,
    meta: empty(img.meta) ? NONE : img.meta,
    grouping: empty(img.grouping) ? NONE : img.grouping,
    size: 'bytes' in img ? img.bytes.length : img.size,
  };
}

interface ImageOutcome {
  readonly hashes: Map<string, ImageInfo>;
  /** Blobs this import wrote (files and rows), removed again if it is refused. */
  readonly created: string[];
  /** Images taken from the store as an earlier (interrupted) import of the same files left them. */
  readonly reused: number;
  /** Image keys that could not be used, and why (the examples that use them are skipped). */
  readonly failed: Map<string, string>;
}

/** The stored variant of a source (`image_sources.variant`): long side and DICOM frame. */
export function imageVariant(options: ImportOptions): string {
  const size = options.maxSide === 'original' ? 'original' : `max${options.maxSide}`;
  return options.dicomFrame === undefined ? size : `${size}/frame${options.dicomFrame}`;
}

/** `1m 05s`, `12s`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Runs tasks of a given size so that at most `limit` of size is in work at once (a task larger
 * than the limit runs alone).
 */
function bytesBudget(limit: number): <T>(size: number, fn: () => Promise<T>) => Promise<T> {
  let used = 0;
  const waiting: (() => void)[] = [];
  return async (size, fn) => {
    while (used > 0 && used + size > limit) await new Promise<void>((r) => waiting.push(r));
    used += size;
    try {
      return await fn();
    } finally {
      used -= size;
      for (const wake of waiting.splice(0)) wake();
    }
  };
}

/** A file's size and time, or undefined when it cannot be stat'ed (reading it then says why). */
function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** What an earlier import stored for this file at this variant, if the file is unchanged and the blob is there. */
function storedBefore(
  ctx: ServiceContext,
  blobs: BlobStore,
  path: string,
  st: { size: number; mtimeMs: number },
  variant: string,
  ownGroups: boolean,
): ImageInfo | undefined {
  const rec = ctx.store.imageSources.get(path, variant);
  if (!rec || rec.size !== st.size || rec.mtimeMs !== st.mtimeMs) return undefined;
  // Grouping keys (DICOM patient/study) are never stored: decode again unless the importer groups.
  if (rec.grouped && !ownGroups) return undefined;
  const row = ctx.store.blobs.get(rec.blobHash);
  if (!row || !blobs.has(row.hash, row.mime)) return undefined;
  return infoOf({
    hash: row.hash,
    mime: row.mime as PreparedImage['mime'],
    width: row.width ?? 0,
    height: row.height ?? 0,
    meta: rec.meta,
    grouping: NONE,
    size: row.bytes,
  });
}

/**
 * Decodes every referenced image, one per core; writes new blobs unless `dryRun`, committing their
 * rows (and each file's source) every `BATCH` images. A file an earlier import of the same variant
 * stored is reused without decoding, so an interrupted import re-run goes on where it stopped.
 * A bad image is recorded in `failed`. Stops early when `signal` is aborted.
 */
async function prepareImages(
  ctx: ServiceContext,
  examples: readonly ParsedExample[],
  sources: ParsedDataset['images'],
  options: ImportOptions,
  dryRun: boolean,
  problems: Problems,
  progress: ProgressFn,
  signal: AbortSignal | undefined,
): Promise<ImageOutcome> {
  const keys = [...new Set(examples.map((e) => e.image).filter((k): k is string => k !== undefined))];
  const ungrouped = new Set(examples.filter((e) => e.image !== undefined && !e.group).map((e) => e.image!));
  const blobs = new BlobStore(ctx.home.blobs);
  const variant = imageVariant(options);
  const hashes = new Map<string, ImageInfo>();
  const created: string[] = [];
  const failed = new Map<string, string>();
  const pending: { blob: BlobRecord; source: ImageSourceRecord | null }[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending.splice(0);
    ctx.store.transaction(() => {
      ctx.store.blobs.insertMany(batch.map((b) => b.blob));
      ctx.store.imageSources.putMany(batch.flatMap((b) => (b.source ? [b.source] : [])));
    });
  };
  const pool = keys.length >= POOL_MIN ? sharedImagePool() : null;
  const budget = bytesBudget(LARGE_BUDGET);
  const started = performance.now();
  // About 50 reports per import, at most one per 16 images.
  const every = Math.max(1, Math.min(16, Math.floor(keys.length / 50)));
  let next = 0;
  let done = 0;
  let reused = 0;
  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const decoded = done - reused;
    const rate = elapsed > 0 ? decoded / elapsed : 0;
    const eta = rate > 0 ? (keys.length - done) / rate : 0;
    progress(
      'images',
      done,
      keys.length,
      `${done} of ${keys.length} images, ${rate.toFixed(rate < 10 ? 1 : 0)}/s` +
        `${done < keys.length ? `, about ${duration(eta)} left` : ''}${reused > 0 ? `, ${reused} already stored` : ''}`,
    );
  };
  const worker = async () => {
    while (next < keys.length && !signal?.aborted) {
      const key = keys[next++]!;
      const source = sources.get(key);
      if (!source) {
        failed.set(key, `no image "${key}" in the dataset`);
        continue;
      }
      const path = source.kind === 'file' ? resolve(source.path) : null;
      const stat = path ? statOf(path) : undefined;
      const before =
        path && stat ? storedBefore(ctx, blobs, path, stat, variant, !ungrouped.has(key)) : undefined;
      try {
        if (before) {
          hashes.set(key, before);
          reused++;
        } else {
          const how = {
            ...(options.dicomFrame === undefined ? {} : { dicomFrame: options.dicomFrame }),
            maxSide: options.maxSide,
          };
          const prepare = () =>
            pool && path && !LIBVIPS_FILE.test(path) ? pool.prepare(path, how) : prepareImage(source, how);
          const img = await (stat && stat.size > LARGE_FILE ? budget(stat.size, prepare) : prepare());
          const { bytes, thumbnail } = img;
          hashes.set(key, infoOf(img));
          if (!dryRun && problems.errorCount === 0) {
            if (blobs.put(img.hash, img.mime, bytes, thumbnail)) created.push(img.hash);
            pending.push({
              blob: {
                hash: img.hash,
                bytes: bytes.length,
                mime: img.mime,
                width: img.width,
                height: img.height,
              },
              source:
                path && stat
                  ? {
                      path,
                      variant,
                      size: stat.size,
                      mtimeMs: stat.mtimeMs,
                      sourceSha256: img.sourceSha256,
                      blobHash: img.hash,
                      meta: img.meta,
                      grouped: Object.values(img.grouping).some((v) => v),
                    }
                  : null,
            });
            if (pending.length >= BATCH) flush();
          }
        }
      } catch (err) {
        failed.set(
          key,
          err instanceof ImageError && err.kind === 'missing'
            ? `the image file ${sourceName(source)} is missing`
            : `the image ${sourceName(source)} cannot be used: ${(err as Error).message}`,
        );
      }
      if (++done % every === 0 || done === keys.length) report();
    }
  };
  await Promise.all(Array.from({ length: IMAGE_CONCURRENCY }, worker));
  flush();
  if (signal?.aborted) {
    throw new WorkbenchError(
      'unavailable',
      `the import was interrupted after ${done} of ${keys.length} images; the ${created.length + reused} stored so far are kept, and importing the same files again goes on from there`,
    );
  }
  return { hashes, created, reused, failed };
}

/** The record an example came from, for the skip list (importers that set no `ref` get a positional one). */
function refOf(parsed: ParsedDataset, e: ParsedExample, index: number): RecordRef {
  if (e.ref) return e.ref;
  const id = e.meta['sourceId'];
  return { file: parsed.name, id: id !== undefined && id !== null && id !== '' ? String(id) : `[${index}]` };
}

/** An example with the record it came from. */
interface Entry {
  readonly e: ParsedExample;
  readonly ref: RecordRef;
}

/**
 * The import policy's checks on every example, whatever the format: an example whose image is
 * missing or broken, whose target is blank, or that repeats an earlier record (same id, same
 * content) is skipped (`problems.skip`). Returns the entries that stay.
 */
function keepValid(
  entries: readonly Entry[],
  failed: ReadonlyMap<string, string>,
  problems: Problems,
): Entry[] {
  const seen = new Map<string, Entry>();
  const kept: Entry[] = [];
  for (const entry of entries) {
    const { e, ref } = entry;
    const bad = e.image === undefined ? undefined : failed.get(e.image);
    if (bad !== undefined) {
      problems.skip(ref, 'image', bad);
      continue;
    }
    if (e.target.trim() === '') {
      problems.skip(ref, 'target', 'the answer (target) is empty');
      continue;
    }
    const key = `${ref.file}\u0000${ref.id}\u0000${e.task}`;
    const first = seen.get(key);
    if (first && sameContent(first.e, e)) {
      const at = first.ref.line !== undefined ? ` at line ${first.ref.line}` : '';
      problems.skip(ref, undefined, `duplicate of the record with the same id${at}`);
      continue;
    }
    if (!first) seen.set(key, entry);
    kept.push(entry);
  }
  return kept;
}

function sameContent(a: ParsedExample, b: ParsedExample): boolean {
  return (
    canonicalJson([a.inputs, a.target, a.image ?? null]) ===
    canonicalJson([b.inputs, b.target, b.image ?? null])
  );
}

/** Removes the blobs (rows, sources and files) this import created that no example uses (after a refusal or a duplicate). */
function discardCreated(ctx: ServiceContext, created: readonly string[]): void {
  if (created.length === 0) return;
  const unused = ctx.store.blobs.unreferenced(created);
  ctx.store.transaction(() => ctx.store.blobs.deleteMany(unused));
  const blobs = new BlobStore(ctx.home.blobs);
  for (const h of unused) blobs.remove(h);
}

/** A dataset id readable in the CLI: `vqa-rad-1a2b3c4d`. */
export function datasetIdFor(name: string, contentHash: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return `${slug || 'dataset'}-${contentHash.slice(0, 8)}`;
}

/** Throws the import's errors as one message naming files, lines and fields. */
export function throwProblems(problems: Problems, what: string): never {
  const errors = problems.list.filter((p) => p.severity === 'error');
  const shown = errors.slice(0, 10).map((p) => `  ${formatProblem(p)}`);
  const more = problems.errorCount - shown.length;
  // Under --strict the skipped records are the errors; otherwise list them after the errors.
  const skipped = problems.strict
    ? []
    : problems.skipped.slice(0, 10).map((s) => `  skipped: ${formatSkipped(s)}`);
  const moreSkipped = problems.strict ? 0 : problems.skippedCount - skipped.length;
  throw new WorkbenchError(
    'invalid_input',
    `${what}: ${problems.errorCount} problem(s)${problems.skippedCount > 0 ? `, ${problems.skippedCount} record(s) skipped` : ''}; nothing was imported.\n${[...shown, ...skipped].join('\n')}${more > 0 ? `\n  ... and ${more} more` : ''}${moreSkipped > 0 ? `\n  ... and ${moreSkipped} more skipped` : ''}`,
    errors[0]?.field,
  );
}

/**
 * Writes a parsed dataset: decodes and stores its images, draws missing splits (grouped by image,
 * patient or study), and inserts the dataset, blob rows and examples in ONE transaction. On any
 * error nothing stays: the transaction rolls back and the blob files this import created go.
 */
export async function storeParsed(
  ctx: ServiceContext,
  parsed: ParsedDataset,
  request: {
    dryRun: boolean;
    options: ImportOptions;
    sourcePath: string | null;
    name?: string | undefined;
    /** Interrupts the import: what is stored so far stays, for a re-run to go on from. */
    signal?: AbortSignal | undefined;
  },
  problems: Problems,
  progress: ProgressFn,
): Promise<ImportReport> {
  const started = performance.now();
  const { dryRun, options } = request;
  // Blank targets and repeated records go before any image is decoded; bad images after.
  const entries = parsed.examples.map((e, i) => ({ e, ref: refOf(parsed, e, i) }));
  const candidates = keepValid(entries, new Map(), problems);
  const images = await prepareImages(
    ctx,
    candidates.map((c) => c.e),
    parsed.images,
    options,
    dryRun,
    problems,
    progress,
    request.signal,
  );
  try {
    const valid = keepValid(candidates, images.failed, problems).map((c) => c.e);
    if (problems.errorCount > 0 && !dryRun) throwProblems(problems, `Import of ${parsed.name} failed`);
    const rows = valid.map((e, i) => {
      const img = e.image === undefined ? undefined : images.hashes.get(e.image);
      const group =
        e.group ??
        (img?.grouping.patient ? `patient:${img.grouping.patient}` : undefined) ??
        (img?.grouping.study ? `study:${img.grouping.study}` : undefined) ??
        (img ? `image:${img.hash}` : `example:${i}`);
      return { e, img, group };
    });
    const { splits, official } = assignSplits(
      rows.map((r) => ({ group: r.group, ...(r.e.split ? { split: r.e.split } : {}) })),
      options,
    );
    // The store records are made twice, WRITE_BATCH at a time: once for the counts and the content
    // hash, once for the inserts, so all of them are never held at once.
    function* newExamples(): Generator<NewExample> {
      const next: Record<Split, number> = { train: 0, validation: 0, test: 0 };
      for (const [i, r] of rows.entries()) {
        const split = splits[i]!;
        yield {
          split,
          ordinal: next[split]++,
          task: r.e.task,
          imageHash: r.img?.hash ?? null,
          inputs: r.e.inputs,
          target: r.e.target,
          candidates: r.e.candidates ? [...r.e.candidates] : null,
          meta: r.img && r.img.meta !== NONE ? { ...r.img.meta, ...r.e.meta } : r.e.meta,
        };
      }
    }
    const ordinals: Record<Split, number> = { train: 0, validation: 0, test: 0 };
    const tasks: Record<string, Record<string, number>> = {};
    const hash = createHash('sha256').update(parsed.format);
    for (const x of newExamples()) {
      const t = tasks[x.task] ?? {};
      tasks[x.task] = t;
      t[x.split] = (t[x.split] ?? 0) + 1;
      ordinals[x.split]++;
      hash.update(canonicalJson([x.split, x.task, x.inputs, x.target, x.candidates, x.imageHash]));
      hash.update('\n');
    }
    const count = rows.length;
    const contentHash = hash.digest('hex');
    const duplicateOf = ctx.store.datasets.findByContentHash(contentHash) ?? null;
    const name = request.name ?? parsed.name;
    const distinct = new Map(rows.filter((r) => r.img).map((r) => [r.img!.hash, r.img!]));
    const known = ctx.store.blobs.existing([...distinct.keys()]);
    const report: ImportReport = {
      dryRun,
      datasetId: duplicateOf ?? (dryRun ? null : datasetIdFor(name, contentHash)),
      duplicateOf,
      name,
      format: parsed.format,
      task: parsed.task,
      examples: count,
      splits: { train: ordinals.train, validation: ordinals.validation, test: ordinals.test },
      tasks,
      officialSplits: official,
      images: {
        total: distinct.size,
        new: dryRun ? distinct.size - known.size : images.created.filter((h) => distinct.has(h)).length,
        reused: images.reused,
      },
      problems: [...problems.list],
      skipped: [...problems.skipped],
      skippedCount: problems.skippedCount,
      contentHash,
      elapsedMs: 0,
    };
    if (count === 0 && problems.errorCount === 0)
      problems.error(
        request.sourcePath ?? name,
        problems.skippedCount > 0
          ? `no examples left: all ${problems.skippedCount} record(s) were skipped`
          : 'no examples found',
      );
    if (dryRun || duplicateOf) {
      if (duplicateOf) discardCreated(ctx, images.created);
      return { ...report, problems: [...problems.list], elapsedMs: performance.now() - started };
    }
    if (problems.errorCount > 0) throwProblems(problems, `Import of ${parsed.name} failed`);
    progress('write', 0, count, `writing ${count} examples`);
    const id = report.datasetId!;
    ctx.store.transaction(() => {
      ctx.store.datasets.insert({
        id,
        name,
        format: parsed.format,
        task: parsed.task,
        sourcePath: request.sourcePath,
        contentHash,
        synthetic: parsed.synthetic ?? false,
        meta: {
          ...parsed.meta,
          officialSplits: official,
          seed: options.seed,
          warnings: problems.list.length,
          provenance: {
            sourcePath: request.sourcePath,
            importedAt: new Date().toISOString(),
            skippedCount: problems.skippedCount,
            skipped: [...problems.skipped],
            // Each image's source file and its sha256: `image_sources` (store.imageSources.ofBlob).
            images: { maxSide: options.maxSide, variant: imageVariant(options), reused: images.reused },
          },
        },
      });
      ctx.store.blobs.insertMany(
        [...distinct.values()].map((p) => ({
          hash: p.hash,
          bytes: p.size,
          mime: p.mime,
          width: p.width,
          height: p.height,
        })),
      );
      let batch: NewExample[] = [];
      let written = 0;
      for (const x of newExamples()) {
        batch.push(x);
        if (batch.length === WRITE_BATCH || written + batch.length === count) {
          ctx.store.examples.insertMany(id, batch);
          written += batch.length;
          batch = [];
          if (written < count) progress('write', written, count, `${written} of ${count} examples written`);
        }
      }
    });
    progress('write', count, count, 'done');
    return { ...report, elapsedMs: performance.now() - started };
  } catch (err) {
    discardCreated(ctx, images.created);
    throw err;
  }
}
