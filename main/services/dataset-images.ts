import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { BlobStore } from '#db/blob-store';
import type { BlobRecord } from '#db/repos/blobs';
import type { ImageSourceRecord } from '#db/repos/image-sources';
import { ImageError, type PreparedImage, prepareImage, sourceName } from '#main/data/images/prepare';
import type { Problems } from '#main/data/problems';
import type { ParsedDataset, ParsedExample } from '#main/data/types';
import { sharedImagePool } from '#main/jobs/image-pool';
import { WorkbenchError } from '#shared/api/errors';
import type { ImportOptions } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import type { ProgressFn } from './dataset-store';

// The image phase of an import (dataset-store.ts storeParsed): decode, downscale and store every
// referenced image, reusing what an earlier import of the same files stored.

/**
 * How many images are in work at once: two per core (a decode on libuv's threads while the other
 * is read, hashed or stored, or its thumbnail encoded), plus one so a thread never waits for the
 * main thread's writes (bench/import-large.ts, 2 cores: 111-113 images/s at 5, 108-111 at 9, 101-102 at 3).
 */
const IMAGE_CONCURRENCY = 2 * Math.max(2, availableParallelism()) + 1;

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

/**
 * What the import keeps of a prepared image until its examples are written: no bytes (on disk, or
 * dropped in a dry run), no source hash (in its `image_sources` row already).
 */
export type ImageInfo = Pick<PreparedImage, 'hash' | 'mime' | 'width' | 'height' | 'meta' | 'grouping'> & {
  readonly size: number;
};

/** One shared empty object for the images without metadata or grouping keys (all JPEGs and PNGs). */
export const NONE: Readonly<Record<string, never>> = Object.freeze({});

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

/**
 * Where one batch of a streamed import stands in the whole (progress and the interrupt message):
 * images done, reused and stored (new or reused) by the earlier batches, the whole count when
 * known, when it started.
 */
export interface ImageSpan {
  readonly done: number;
  readonly reused: number;
  readonly stored: number;
  readonly total: number | undefined;
  readonly started: number;
}

/** The stored variant of a source (`image_sources.variant`): long side and DICOM frame. */
export function imageVariant(options: ImportOptions): string {
  const size = options.maxSide === 'original' ? 'original' : `max${options.maxSide}`;
  return options.dicomFrame === undefined ? size : `${size}/frame${options.dicomFrame}`;
}

/** `1m 05s`, `12s`. */
export function duration(seconds: number): string {
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
export async function prepareImages(
  ctx: ServiceContext,
  examples: readonly ParsedExample[],
  sources: ParsedDataset['images'],
  options: ImportOptions,
  dryRun: boolean,
  problems: Problems,
  progress: ProgressFn,
  signal: AbortSignal | undefined,
  span: ImageSpan = { done: 0, reused: 0, stored: 0, total: undefined, started: performance.now() },
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
  const started = span.started;
  const total = Math.max(span.total ?? 0, span.done + keys.length);
  // About 50 reports per import, at most one per 16 images.
  const every = Math.max(1, Math.min(16, Math.floor(total / 50)));
  let next = 0;
  let done = 0;
  let reused = 0;
  const report = () => {
    const elapsed = (performance.now() - started) / 1000;
    const [all, allReused] = [span.done + done, span.reused + reused];
    const rate = elapsed > 0 ? (all - allReused) / elapsed : 0;
    const eta = rate > 0 ? (total - all) / rate : 0;
    progress(
      'images',
      all,
      total,
      `${all} of ${total} images, ${rate.toFixed(rate < 10 ? 1 : 0)}/s` +
        `${all < total ? `, about ${duration(eta)} left` : ''}${allReused > 0 ? `, ${allReused} already stored` : ''}`,
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
      if ((span.done + ++done) % every === 0 || done === keys.length) report();
    }
  };
  await Promise.all(Array.from({ length: IMAGE_CONCURRENCY }, worker));
  flush();
  if (signal?.aborted) {
    throw new WorkbenchError(
      'unavailable',
      `the import was interrupted after ${span.done + done} of ${total} images; the ${span.stored + created.length + reused} stored so far are kept, and importing the same files again goes on from there`,
    );
  }
  return { hashes, created, reused, failed };
}
