import { createHash } from 'node:crypto';
import { BlobStore } from '#db/blob-store';
import type { NewExample } from '#db/repos/examples';
import { canonicalJson } from '#db/repos/experiments';
import { ImageError, type PreparedImage, prepareImage, sourceName } from '#main/data/images/prepare';
import { formatProblem, type Problems } from '#main/data/problems';
import { assignSplits } from '#main/data/splits';
import type { ParsedDataset } from '#main/data/types';
import { WorkbenchError } from '#shared/api/errors';
import type { ImportOptions, ImportReport, Split } from '#shared/domain/dataset';
import type { ServiceContext } from './context';

/** Progress callback: phase, done, total, message. */
export type ProgressFn = (phase: 'images' | 'write', done: number, total: number, message: string) => void;

/** How many images are decoded at once (sharp runs them on libuv's thread pool). */
const IMAGE_CONCURRENCY = 4;

/** A prepared image without its bytes (they are on disk, or dropped in a dry run). */
type ImageInfo = Omit<PreparedImage, 'bytes' | 'thumbnail'> & { readonly size: number };

interface ImageOutcome {
  readonly hashes: Map<string, ImageInfo>;
  readonly created: string[];
}

/** Decodes every referenced image; writes new blobs unless `dryRun`. Records problems. */
async function prepareImages(
  ctx: ServiceContext,
  parsed: ParsedDataset,
  options: ImportOptions,
  dryRun: boolean,
  problems: Problems,
  progress: ProgressFn,
): Promise<ImageOutcome> {
  const keys = [...new Set(parsed.examples.map((e) => e.image).filter((k): k is string => k !== undefined))];
  const blobs = new BlobStore(ctx.home.blobs);
  const hashes = new Map<string, ImageInfo>();
  const created: string[] = [];
  const missing: string[] = [];
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++]!;
      const source = parsed.images.get(key);
      if (!source) {
        missing.push(key);
        continue;
      }
      try {
        const img = await prepareImage(
          source,
          options.dicomFrame === undefined ? {} : { dicomFrame: options.dicomFrame },
        );
        if (!dryRun && problems.errorCount === 0 && blobs.put(img.hash, img.mime, img.bytes, img.thumbnail)) {
          created.push(img.hash);
        }
        const { bytes, thumbnail: _thumb, ...info } = img;
        hashes.set(key, { ...info, size: bytes.length });
      } catch (err) {
        if (err instanceof ImageError && err.kind === 'missing') missing.push(sourceName(source));
        else problems.error(sourceName(source), (err as Error).message);
      }
      if (++done % 25 === 0 || done === keys.length)
        progress('images', done, keys.length, `${done} of ${keys.length} images`);
    }
  };
  await Promise.all(Array.from({ length: IMAGE_CONCURRENCY }, worker));
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).join(', ');
    const more = missing.length > 20 ? ` and ${missing.length - 20} more` : '';
    problems.error('images', `${missing.length} image file(s) are missing: ${shown}${more}`, {
      field: 'image',
    });
  }
  return { hashes, created };
}

/** Removes blobs this import created that no row references (after a failure or a duplicate). */
function discardCreated(ctx: ServiceContext, created: readonly string[]): void {
  if (created.length === 0) return;
  const blobs = new BlobStore(ctx.home.blobs);
  const kept = ctx.store.blobs.existing(created);
  for (const h of created) if (!kept.has(h)) blobs.remove(h);
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
  throw new WorkbenchError(
    'invalid_input',
    `${what}: ${problems.errorCount} problem(s); nothing was imported.\n${shown.join('\n')}${more > 0 ? `\n  ... and ${more} more` : ''}`,
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
  request: { dryRun: boolean; options: ImportOptions; sourcePath: string | null; name?: string | undefined },
  problems: Problems,
  progress: ProgressFn,
): Promise<ImportReport> {
  const started = performance.now();
  const { dryRun, options } = request;
  const images = await prepareImages(ctx, parsed, options, dryRun, problems, progress);
  try {
    if (problems.errorCount > 0 && !dryRun) throwProblems(problems, `Import of ${parsed.name} failed`);
    const rows = parsed.examples.map((e, i) => {
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
    const ordinals: Record<Split, number> = { train: 0, validation: 0, test: 0 };
    const tasks: Record<string, Record<string, number>> = {};
    const examples: NewExample[] = rows.map((r, i) => {
      const split = splits[i]!;
      const t = tasks[r.e.task] ?? {};
      tasks[r.e.task] = t;
      t[split] = (t[split] ?? 0) + 1;
      return {
        split,
        ordinal: ordinals[split]++,
        task: r.e.task,
        imageHash: r.img?.hash ?? null,
        inputs: r.e.inputs,
        target: r.e.target,
        candidates: r.e.candidates ? [...r.e.candidates] : null,
        meta: { ...(r.img?.meta ?? {}), ...r.e.meta },
      };
    });
    const hash = createHash('sha256').update(parsed.format);
    for (const x of examples) {
      hash.update(canonicalJson([x.split, x.task, x.inputs, x.target, x.candidates, x.imageHash]));
      hash.update('\n');
    }
    const contentHash = hash.digest('hex');
    const duplicateOf = ctx.store.datasets.findByContentHash(contentHash) ?? null;
    const name = request.name ?? parsed.name;
    const distinct = new Map([...images.hashes.values()].map((p) => [p.hash, p]));
    const known = ctx.store.blobs.existing([...distinct.keys()]);
    const report: ImportReport = {
      dryRun,
      datasetId: duplicateOf ?? (dryRun ? null : datasetIdFor(name, contentHash)),
      duplicateOf,
      name,
      format: parsed.format,
      task: parsed.task,
      examples: examples.length,
      splits: { train: ordinals.train, validation: ordinals.validation, test: ordinals.test },
      tasks,
      officialSplits: official,
      images: { total: distinct.size, new: distinct.size - known.size },
      problems: [...problems.list],
      contentHash,
      elapsedMs: 0,
    };
    if (examples.length === 0 && problems.errorCount === 0)
      problems.error(request.sourcePath ?? name, 'no examples found');
    if (dryRun || duplicateOf) {
      if (duplicateOf) discardCreated(ctx, images.created);
      return { ...report, problems: [...problems.list], elapsedMs: performance.now() - started };
    }
    if (problems.errorCount > 0) throwProblems(problems, `Import of ${parsed.name} failed`);
    progress('write', 0, examples.length, `writing ${examples.length} examples`);
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
      ctx.store.examples.insertMany(id, examples);
    });
    progress('write', examples.length, examples.length, 'done');
    return { ...report, elapsedMs: performance.now() - started };
  } catch (err) {
    discardCreated(ctx, images.created);
    throw err;
  }
}
