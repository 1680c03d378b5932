import { createHash } from 'node:crypto';
import { BlobStore } from '#db/blob-store';
import type { NewExample } from '#db/repos/examples';
import { canonicalJson } from '#db/repos/experiments';
import type { FirstRecord } from '#db/repos/staged-examples';
import { formatProblem, formatSkipped, type Problems, type RecordRef } from '#main/data/problems';
import { assignSplits } from '#main/data/splits';
import type { ParsedDataset, ParsedExample } from '#main/data/types';
import { WorkbenchError } from '#shared/api/errors';
import type { ImportOptions, ImportReport, Split } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import { type ImageInfo, imageVariant, NONE, prepareImages } from './dataset-images';

/** Progress callback: phase, done, total, message. */
export type ProgressFn = (phase: 'images' | 'write', done: number, total: number, message: string) => void;

/** Examples are built and inserted this many at a time (the import never holds all its rows as store records). */
export const WRITE_BATCH = 1000;

/** The record an example came from, for the skip list (importers that set no `ref` get a positional one). */
export function refOf(name: string, e: ParsedExample, index: number): RecordRef {
  if (e.ref) return e.ref;
  const id = e.meta['sourceId'];
  return { file: name, id: id !== undefined && id !== null && id !== '' ? String(id) : `[${index}]` };
}

/** An example with the record it came from. */
export interface Entry {
  readonly e: ParsedExample;
  readonly ref: RecordRef;
}

/**
 * The import policy's checks on every example, whatever the format: an example whose image is
 * missing or broken, whose target is blank, or that repeats an earlier record (same id, same
 * content) is skipped (`problems.skip`). Returns the entries that stay.
 */
export function keepValid(
  entries: readonly Entry[],
  failed: ReadonlyMap<string, string>,
  problems: Problems,
  seen: FirstRecords = new Map<string, FirstRecord>(),
): Entry[] {
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
    const key = digest(`${ref.file}\u0000${ref.id}\u0000${e.task}`);
    const first = seen.get(key);
    const content = digest(canonicalJson([e.inputs, e.target, e.image ?? null]));
    if (first && first.content === content) {
      const at = first.line !== undefined ? ` at line ${first.line}` : '';
      problems.skip(ref, undefined, `duplicate of the record with the same id${at}`);
      continue;
    }
    if (!first) seen.set(key, ref.line === undefined ? { content } : { content, line: ref.line });
    kept.push(entry);
  }
  return kept;
}

/**
 * The first record of each id (digest of file, id and task): the digest of its content and its
 * line, so a streamed import checks repeats across its batches (it keeps them in the store:
 * `stagedExamples.firstRecords`; a whole-dataset import in a Map).
 */
export interface FirstRecords {
  get(key: string): FirstRecord | undefined;
  set(key: string, first: FirstRecord): void;
}

const digest = (text: string) => createHash('md5').update(text).digest('base64');

/** Removes the blobs (rows, sources and files) this import created that no example uses (after a refusal or a duplicate). */
export function discardCreated(ctx: ServiceContext, created: readonly string[]): void {
  if (created.length === 0) return;
  const unused = ctx.store.blobs.unreferenced(created);
  ctx.store.transaction(() => ctx.store.blobs.deleteMany(unused));
  const blobs = new BlobStore(ctx.home.blobs);
  for (const h of unused) blobs.remove(h);
}

/** The group that keeps an example's split together: its own, its image's patient or study, its image, itself. */
export function groupOf(e: ParsedExample, img: ImageInfo | undefined, index: number): string {
  return (
    e.group ??
    (img?.grouping.patient ? `patient:${img.grouping.patient}` : undefined) ??
    (img?.grouping.study ? `study:${img.grouping.study}` : undefined) ??
    (img ? `image:${img.hash}` : `example:${index}`)
  );
}

/** An example's stored meta: its image's (DICOM) meta under its own. */
export function exampleMeta(e: ParsedExample, img: ImageInfo | undefined): ParsedExample['meta'] {
  return img && img.meta !== NONE ? { ...img.meta, ...e.meta } : e.meta;
}

/** The dataset row's meta: the importer's, the splits, the seed and the provenance. */
export function datasetMeta(
  meta: ParsedDataset['meta'],
  official: readonly Split[],
  options: ImportOptions,
  problems: Problems,
  sourcePath: string | null,
  reused: number,
): Record<string, unknown> {
  return {
    ...meta,
    officialSplits: official,
    seed: options.seed,
    warnings: problems.list.length,
    provenance: {
      sourcePath,
      importedAt: new Date().toISOString(),
      skippedCount: problems.skippedCount,
      skipped: [...problems.skipped],
      // Each image's source file and its sha256: `image_sources` (store.imageSources.ofBlob).
      images: { maxSide: options.maxSide, variant: imageVariant(options), reused },
    },
  };
}

/** The dataset row of an import, with datasetMeta's meta (call inside the import's transaction). */
export function insertDataset(
  ctx: ServiceContext,
  row: { id: string; name: string; contentHash: string; sourcePath: string | null },
  parsed: Pick<ParsedDataset, 'format' | 'task' | 'synthetic' | 'meta'>,
  how: { official: readonly Split[]; options: ImportOptions; problems: Problems; reused: number },
): void {
  ctx.store.datasets.insert({
    ...row,
    format: parsed.format,
    task: parsed.task,
    synthetic: parsed.synthetic ?? false,
    meta: datasetMeta(parsed.meta, how.official, how.options, how.problems, row.sourcePath, how.reused),
  });
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
  const entries = parsed.examples.map((e, i) => ({ e, ref: refOf(parsed.name, e, i) }));
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
      return { e, img, group: groupOf(e, img, i) };
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
          meta: exampleMeta(r.e, r.img),
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
      insertDataset(ctx, { id, name, contentHash, sourcePath: request.sourcePath }, parsed, {
        official,
        options,
        problems,
        reused: images.reused,
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
