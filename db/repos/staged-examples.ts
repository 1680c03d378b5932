import type { Db } from '#db/connection';
import type { Split } from '#shared/domain/dataset';
import type { NewExample } from './examples';

/** An example of an import in progress: its place in the import instead of an ordinal. */
export type StagedExample = Omit<NewExample, 'ordinal'> & { readonly seq: number };

/** What the content hash of an import reads back, in order. */
export type StagedContent = Pick<
  NewExample,
  'split' | 'task' | 'imageHash' | 'inputs' | 'target' | 'candidates'
>;

interface ContentRow {
  split: Split;
  task: string;
  image_hash: string | null;
  inputs: string;
  target: string;
  candidates: string | null;
}

/**
 * The examples an import writes batch by batch before its dataset exists (0110-staged-examples):
 * published into `examples` in one statement at the end, or removed.
 */
export function stagedExamplesRepo(db: Db) {
  const insert = db.prepare(
    `INSERT INTO staged_examples (import_id, seq, split, task, image_hash, inputs, target, candidates, meta)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const setSplit = db.prepare('UPDATE staged_examples SET split = ? WHERE import_id = ? AND seq = ?');
  const used = db
    .prepare('SELECT 1 FROM staged_examples WHERE image_hash = ? AND import_id = ? LIMIT 1')
    .pluck();
  return {
    /** Stages one batch (call inside a transaction). */
    insertMany(importId: string, rows: readonly StagedExample[]): void {
      for (const e of rows) {
        insert.run(
          importId,
          e.seq,
          e.split,
          e.task,
          e.imageHash,
          JSON.stringify(e.inputs),
          e.target,
          e.candidates === null ? null : JSON.stringify(e.candidates),
          JSON.stringify(e.meta),
        );
      }
    },
    /** Sets the drawn splits: `[seq, split]` pairs (call inside a transaction). */
    setSplits(importId: string, changes: Iterable<readonly [number, Split]>): void {
      for (const [seq, split] of changes) setSplit.run(split, importId, seq);
    },
    /** The staged content in import order, one row at a time (never all in memory). */
    *contents(importId: string): Generator<StagedContent> {
      const rows = db
        .prepare(
          `SELECT split, task, image_hash, inputs, target, candidates FROM staged_examples
           WHERE import_id = ? ORDER BY seq`,
        )
        .iterate(importId) as IterableIterator<ContentRow>;
      for (const r of rows) {
        yield {
          split: r.split,
          task: r.task,
          imageHash: r.image_hash,
          inputs: JSON.parse(r.inputs) as Record<string, string>,
          target: r.target,
          candidates: r.candidates === null ? null : (JSON.parse(r.candidates) as string[]),
        };
      }
    },
    /** Examples per task and split. */
    counts(importId: string): { task: string; split: Split; n: number }[] {
      return db
        .prepare(
          'SELECT task, split, COUNT(*) AS n FROM staged_examples WHERE import_id = ? GROUP BY task, split',
        )
        .all(importId) as { task: string; split: Split; n: number }[];
    },
    /** Distinct images the staged examples use. */
    imageCount(importId: string): number {
      return db
        .prepare('SELECT COUNT(DISTINCT image_hash) FROM staged_examples WHERE import_id = ?')
        .pluck()
        .get(importId) as number;
    },
    /** How many of `hashes` the import's staged examples use. */
    usedCount(importId: string, hashes: readonly string[]): number {
      return hashes.filter((h) => used.get(h, importId) !== undefined).length;
    },
    /**
     * Moves the staged examples into `examples` under `datasetId`, ordinals 0..n-1 per split in
     * import order, and removes them from the staging table (call inside the dataset's transaction).
     */
    publish(importId: string, datasetId: string): number {
      const n = db
        .prepare(
          `INSERT INTO examples (dataset_id, split, ordinal, task, image_hash, inputs, target, candidates, meta)
           SELECT ?, split, ROW_NUMBER() OVER (PARTITION BY split ORDER BY seq) - 1, task, image_hash,
                  inputs, target, candidates, meta
           FROM staged_examples WHERE import_id = ? ORDER BY seq`,
        )
        .run(datasetId, importId).changes;
      db.prepare('DELETE FROM staged_examples WHERE import_id = ?').run(importId);
      return n;
    },
    /** Removes an import's staged examples. */
    clear(importId: string): void {
      db.prepare('DELETE FROM staged_examples WHERE import_id = ?').run(importId);
    },
    /** The imports with staged examples. */
    importIds(): string[] {
      return db.prepare('SELECT DISTINCT import_id FROM staged_examples').pluck().all() as string[];
    },
  };
}
