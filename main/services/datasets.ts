import { BlobStore } from '#db/blob-store';
import type { ExampleRecord } from '#db/repos/examples';
import { detectFormat } from '#main/data/detect';
import { IMPORTERS } from '#main/data/importers/index';
import { WorkbenchError } from '#shared/api/errors';
import type { ExampleView } from '#shared/domain/dataset';
import { buildPrompt } from '#shared/tasks';
import type { ServiceContext } from './context';
import { importDataset } from './dataset-import';
import type { Handlers } from './handler';

const dataUrl = (mime: string, bytes: Uint8Array): string =>
  `data:${mime};base64,${Buffer.from(bytes).toString('base64')}`;

function mustGet(ctx: ServiceContext, id: string) {
  const d = ctx.store.datasets.get(id);
  if (!d) throw new WorkbenchError('not_found', `No dataset with id "${id}"`, 'id');
  return d;
}

/** The thumbnail of an image blob as a data URL (small images are their own thumbnail). */
export function thumbnailUrl(ctx: ServiceContext, hash: string): string | null {
  const blobs = new BlobStore(ctx.home.blobs);
  const thumb = blobs.readThumbnail(hash);
  if (thumb) return dataUrl('image/webp', thumb);
  const row = ctx.store.blobs.get(hash);
  const bytes = blobs.read(hash);
  return row && bytes ? dataUrl(row.mime, bytes) : null;
}

function toView(ctx: ServiceContext, e: ExampleRecord): ExampleView {
  let prompt: string;
  try {
    prompt = buildPrompt(e.task, e.inputs);
  } catch {
    prompt = '';
  }
  return {
    id: e.id,
    split: e.split,
    ordinal: e.ordinal,
    task: e.task,
    prompt,
    inputs: { ...e.inputs },
    target: e.target,
    candidates: e.candidates ? [...e.candidates] : null,
    meta: { ...e.meta },
    imageHash: e.imageHash,
    thumbnail: e.imageHash ? thumbnailUrl(ctx, e.imageHash) : null,
  };
}

/** `datasets.*`: the dataset library. */
export const datasetHandlers: Handlers<
  | 'datasets.list'
  | 'datasets.formats'
  | 'datasets.detect'
  | 'datasets.import'
  | 'datasets.get'
  | 'datasets.examples'
  | 'datasets.image'
  | 'datasets.delete'
> = {
  'datasets.list': (_input, ctx) => ctx.store.datasets.list(),
  'datasets.formats': () =>
    IMPORTERS.map((i) => ({ format: i.format, label: i.label, description: i.description })),
  'datasets.detect': async ({ path }) => {
    const importer = await detectFormat(path).catch(() => undefined);
    return { format: importer?.format ?? null, label: importer?.label ?? null };
  },
  'datasets.import': (input, ctx) => importDataset(ctx, input),
  'datasets.get': ({ id }, ctx) => {
    const d = mustGet(ctx, id);
    return {
      ...d,
      tasks: ctx.store.examples.taskCounts(id),
      labels: ctx.store.examples.labelHistogram(id),
      answerTypes: ctx.store.examples.answerTypeHistogram(id),
      images: ctx.store.examples.imageCount(id),
    };
  },
  'datasets.examples': ({ id, split, search, offset, limit }, ctx) => {
    mustGet(ctx, id);
    const page = ctx.store.examples.page(id, {
      offset,
      limit,
      ...(split ? { split } : {}),
      ...(search ? { search } : {}),
    });
    return { total: page.total, examples: page.rows.map((e) => toView(ctx, e)) };
  },
  'datasets.image': ({ hash }, ctx) => {
    const row = ctx.store.blobs.get(hash);
    const bytes = row ? new BlobStore(ctx.home.blobs).read(hash) : undefined;
    if (!row || !bytes) throw new WorkbenchError('not_found', `No image with hash ${hash}`, 'hash');
    return {
      dataUrl: dataUrl(row.mime, bytes),
      mime: row.mime,
      width: row.width ?? 0,
      height: row.height ?? 0,
    };
  },
  'datasets.delete': ({ id, force }, ctx) => deleteDataset(ctx, id, force),
};

/**
 * Deletes a dataset, its examples, and the images (rows and files) no other dataset uses. Refuses
 * (conflict) when runs or evaluations use it, unless `force`.
 */
export function deleteDataset(
  ctx: ServiceContext,
  id: string,
  force = false,
): { id: string; examples: number; blobsRemoved: number } {
  mustGet(ctx, id);
  const used = ctx.store.datasets.usage(id);
  if (!force && used.runs + used.evaluations > 0) {
    throw new WorkbenchError(
      'conflict',
      `Dataset "${id}" is used by ${used.runs} run(s) and ${used.evaluations} evaluation(s); deleting it also deletes those evaluations and their predictions. Delete with force to go ahead.`,
      'id',
    );
  }
  let examples = 0;
  let orphans: string[] = [];
  ctx.store.transaction(() => {
    examples = ctx.store.datasets.delete(id);
    orphans = ctx.store.blobs.orphans();
    ctx.store.blobs.deleteMany(orphans);
  });
  const blobs = new BlobStore(ctx.home.blobs);
  for (const h of orphans) blobs.remove(h);
  return { id, examples, blobsRemoved: orphans.length };
}
