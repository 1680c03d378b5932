import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BlobStore } from './blob-store';
import { connectionOf } from './internal';
import { openStore, type Store } from './store';

/** What an export wrote. */
export interface DatasetExport {
  readonly examples: number;
  readonly images: number;
}

/**
 * Writes the given datasets (their rows, examples and the image blobs they use) as a store of
 * their own at `file`, with its images under `blobsDir`: what an engine worker on another machine
 * reads exactly as it reads the workbench's store. Example ids are kept, so predictions and data
 * orders match the local store. The file is left in rollback-journal mode (no WAL: a shared
 * network folder must not need shared memory) and is complete once this returns.
 */
export function exportDatasets(
  store: Store,
  sourceBlobsDir: string,
  datasetIds: readonly string[],
  file: string,
  blobsDir: string,
): DatasetExport {
  if (existsSync(file)) throw new Error(`${file} exists already: an export never overwrites`);
  mkdirSync(dirname(file), { recursive: true });
  // A fresh store with the same schema (migrations) as this one.
  openStore(file).close();
  const ids = [...new Set(datasetIds)];
  const marks = ids.map(() => '?').join(', ');
  const db = connectionOf(store);
  db.prepare('ATTACH DATABASE ? AS bundle').run(file);
  let result: DatasetExport;
  let images: { hash: string; mime: string }[];
  try {
    result = db.transaction(() => {
      db.prepare(`INSERT INTO bundle.datasets SELECT * FROM main.datasets WHERE id IN (${marks})`).run(
        ...ids,
      );
      db.prepare(
        `INSERT INTO bundle.blobs SELECT * FROM main.blobs WHERE hash IN
           (SELECT DISTINCT image_hash FROM main.examples WHERE dataset_id IN (${marks}) AND image_hash IS NOT NULL)`,
      ).run(...ids);
      const examples = db
        .prepare(`INSERT INTO bundle.examples SELECT * FROM main.examples WHERE dataset_id IN (${marks})`)
        .run(...ids).changes;
      images = db.prepare('SELECT hash, mime FROM bundle.blobs').all() as { hash: string; mime: string }[];
      return { examples, images: images.length };
    })();
  } finally {
    db.prepare('DETACH DATABASE bundle').run();
  }
  const source = new BlobStore(sourceBlobsDir);
  const target = new BlobStore(blobsDir);
  for (const { hash, mime } of images!) {
    const to = target.pathOf(hash, mime);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(source.pathOf(hash, mime), to);
  }
  const out = new Database(file);
  out.pragma('journal_mode = DELETE');
  out.close();
  return result;
}
