// biome-ignore lint/style/noRestrictedImports: the worker's own reader; replaced by a read-only store (issue 10, next step).
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { BlobStore } from '#db/blob-store';
import type { ImageInput } from '#main/engine/image/preprocess';
import { buildPrompt } from '#shared/tasks';

/** One stored example as a worker uses it. */
export interface WorkerExample {
  readonly id: number;
  readonly datasetId: string;
  readonly ordinal: number;
  readonly task: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** The task prompt built from the inputs (shared/tasks.ts). */
  readonly source: string;
  readonly target: string;
  readonly candidates: readonly string[] | null;
  readonly answerType: string | null;
  readonly imageHash: string | null;
}

interface Row {
  id: number;
  dataset_id: string;
  ordinal: number;
  task: string;
  inputs: string;
  target: string;
  candidates: string | null;
  meta: string;
  image_hash: string | null;
}

/**
 * Read access to the store from a worker: a separate read-only connection (WAL lets it read
 * while the main process writes). Workers never write to the database.
 */
export class ExampleReader {
  private readonly db: Database.Database;
  private readonly blobs: BlobStore;
  private readonly pixels = new Map<string, ImageInput>();

  constructor(dbFile: string, blobsDir: string) {
    this.db = new Database(dbFile, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.blobs = new BlobStore(blobsDir);
  }

  /** Examples of one split in stored order (optionally of one task). */
  split(datasetId: string, split: string, task?: string): WorkerExample[] {
    const rows = this.db
      .prepare(
        `SELECT id, dataset_id, ordinal, task, inputs, target, candidates, meta, image_hash FROM examples
         WHERE dataset_id = ? AND split = ? ${task ? 'AND task = ?' : ''} ORDER BY ordinal, id`,
      )
      .all(...(task ? [datasetId, split, task] : [datasetId, split])) as Row[];
    return rows.map((r) => {
      const inputs = JSON.parse(r.inputs) as Record<string, string>;
      const meta = JSON.parse(r.meta) as Record<string, unknown>;
      return {
        id: r.id,
        datasetId: r.dataset_id,
        ordinal: r.ordinal,
        task: r.task,
        inputs,
        source: buildPrompt(r.task, inputs),
        target: r.target,
        candidates: r.candidates ? (JSON.parse(r.candidates) as string[]) : null,
        answerType: typeof meta['answerType'] === 'string' ? meta['answerType'] : null,
        imageHash: r.image_hash,
      };
    });
  }

  /** Every text of a dataset (prompts, targets, candidates, answer set): builds the vocabulary. */
  texts(datasetId: string): string[] {
    const out: string[] = [];
    for (const split of ['train', 'validation', 'test']) {
      for (const e of this.split(datasetId, split)) out.push(e.source, e.target, ...(e.candidates ?? []));
    }
    return out.concat(this.answerSet(datasetId));
  }

  /** The dataset's closed answer set ("allcand"), when its importer recorded one. */
  answerSet(datasetId: string): string[] {
    const row = this.db.prepare('SELECT meta FROM datasets WHERE id = ?').get(datasetId) as
      | { meta: string }
      | undefined;
    const meta = row ? (JSON.parse(row.meta) as Record<string, unknown>) : {};
    const set = meta['answerSet'];
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
    this.db.close();
  }
}
