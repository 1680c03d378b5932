import sharp from 'sharp';
import { BlobStore } from '#db/blob-store';
import type { ExampleRecord } from '#db/repos/examples';
import { openReadonlyStore, type ReadonlyStore } from '#db/store';
import type { ImageInput } from '#main/engine/image/preprocess';
import type { Split } from '#shared/domain/dataset';
import { buildPrompt } from '#shared/tasks';

/** One stored example as a worker uses it: the stored record, with its prompt built. */
export interface WorkerExample extends ExampleRecord {
  /** The task prompt built from the inputs (shared/tasks.ts). */
  readonly source: string;
  readonly answerType: string | null;
}

const toWorkerExample = (e: ExampleRecord): WorkerExample => ({
  ...e,
  source: buildPrompt(e.task, e.inputs),
  answerType: typeof e.meta['answerType'] === 'string' ? e.meta['answerType'] : null,
});

/**
 * Read access to the store from a worker: the read-only store (its own connection; WAL lets it
 * read while the main process writes) and the blob files. Workers never write to the database.
 */
export class ExampleReader {
  private readonly store: ReadonlyStore;
  private readonly blobs: BlobStore;
  private readonly pixels = new Map<string, ImageInput>();

  constructor(dbFile: string, blobsDir: string) {
    this.store = openReadonlyStore(dbFile);
    this.blobs = new BlobStore(blobsDir);
  }

  /** Examples of one split in stored order (optionally of one task). */
  split(datasetId: string, split: Split, task?: string): WorkerExample[] {
    return this.store.examples.list(datasetId, split, task).map(toWorkerExample);
  }

  /** Every text of a dataset (prompts, targets, candidates, answer set): builds the vocabulary. */
  texts(datasetId: string): string[] {
    const out: string[] = [];
    for (const split of ['train', 'validation', 'test'] as const) {
      for (const e of this.split(datasetId, split)) out.push(e.source, e.target, ...(e.candidates ?? []));
    }
    return out.concat(this.answerSet(datasetId));
  }

  /** The dataset's closed answer set ("allcand"), when its importer recorded one. */
  answerSet(datasetId: string): string[] {
    const set = this.store.datasets.get(datasetId)?.meta['answerSet'];
    return Array.isArray(set) ? set.filter((x): x is string => typeof x === 'string') : [];
  }

  /** The image of an example as RGB pixels at `size` x `size` (bicubic, cached per hash). */
  async image(hash: string, size: number): Promise<ImageInput> {
    const key = `${hash}@${size}`;
    const cached = this.pixels.get(key);
    if (cached) return cached;
    const bytes = this.blobs.read(hash);
    if (!bytes) throw new Error(`image ${hash} is missing from the blob store`);
    const { data, info } = await sharp(bytes)
      .removeAlpha()
      .toColourspace('srgb')
      .resize(size, size, { fit: 'fill', kernel: 'cubic' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const img: ImageInput = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: info.channels,
    };
    this.pixels.set(key, img);
    return img;
  }

  close(): void {
    this.store.close();
  }
}
