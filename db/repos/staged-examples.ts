import type { Db } from '#db/connection';
import type { Split } from '#shared/domain/dataset';
import type { NewExample } from './examples';

/**
 * An example of an import in progress: its place in the import instead of an ordinal, the group
 * that keeps its split together and whether its split is official (else it is train until drawn).
 */
export type StagedExample = Omit<NewExample, 'ordinal'> & {
  readonly seq: number;
  readonly group: string;
  readonly official: boolean;
};

/** The first record of an id an import met: the digest of its content and its line. */
export interface FirstRecord {
  readonly content: string;
  readonly line?: number;
}

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
 * The examples an import writes batch by batch before its dataset exists (0110-staged-examples),
 * with its repeat check and the images it stored anew (0120-import-state): published into
 * `examples` in one statement at the end, or removed.
 */
export function stagedExamplesRepo(db: Db) {
  const insert = db.prepare(
    `INSERT INTO staged_examples (import_id, seq, split, task, image_hash, inputs, target, candidates, meta, grp, official)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const firstRecord = db.prepare('SELECT content, line FROM staged_records WHERE import_id = ? AND key = ?');
  const addRecord = db.prepare(
    'INSERT OR REPLACE INTO staged_records (import_id, key, content, line) VALUES (?, ?, ?, ?)',
  );
  const addBlob = db.prepare('INSERT OR IGNORE INTO staged_blobs (import_id, hash) VALUES (?, ?)');
  const blobsAfter = db
    .prepare('SELECT hash FROM staged_blobs WHERE import_id = ? AND hash > ? ORDER BY hash LIMIT ?')
    .pluck();
  const setGroupSplit = db.prepare('UPDATE staged_examples SET split = ? WHERE import_id = ? AND grp = ?');
  const TABLES = ['staged_examples', 'staged_records', 'staged_blobs'] as const;
  const clear = TABLES.map((t) => db.prepare(`DELETE FROM ${t} WHERE import_id = ?`));
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
          e.group,
          e.official ? 1 : 0,
        );
      }
    },
    /**
     * The import's first records by id (digest of file, id and task), for the repeat check across
     * batches: a map kept in the store, not in memory (call `set` inside a transaction).
     */
    firstRecords(importId: string) {
      return {
        get(key: string): FirstRecord | undefined {
          const r = firstRecord.get(importId, key) as { content: string; line: number | null } | undefined;
          if (!r) return undefined;
          return r.line === null ? { content: r.content } : { content: r.content, line: r.line };
        },
        set(key: string, first: FirstRecord): void {
          addRecord.run(importId, key, first.content, first.line ?? null);
        },
      };
    },
    /** Notes the images (hashes) this import stored anew (call inside a transaction). */
    addCreated(importId: string, hashes: readonly string[]): void {
      for (const h of hashes) addBlob.run(importId, h);
    },
    /** The images this import stored anew, `size` at a time (each page read before it is handed over). */
    *created(importId: string, size = 1000): Generator<string[]> {
      for (let last = ''; ; ) {
        const page = blobsAfter.all(importId, last, size) as string[];
        if (page.length === 0) return;
        yield page;
        last = page.at(-1)!;
      }
    },
    /** The official splits of the staged examples. */
    officialSplits(importId: string): Split[] {
      return db
        .prepare('SELECT DISTINCT split FROM staged_examples WHERE import_id = ? AND official = 1')
        .pluck()
        .all(importId) as Split[];
    },
    /**
     * The groups whose examples are all in train (those a split can be drawn from), with their
     * sizes, by name (SQLite's order: by code point), one row at a time.
     */
    trainGroups(importId: string): IterableIterator<{ grp: string; n: number }> {
      return db
        .prepare(
          `SELECT grp, COUNT(*) AS n FROM staged_examples WHERE import_id = ?
           GROUP BY grp HAVING SUM(split <> 'train') = 0 ORDER BY grp`,
        )
        .iterate(importId) as IterableIterator<{ grp: string; n: number }>;
    },
    /** Moves whole groups to the splits drawn for them: `[group, split]` pairs (call inside a transaction). */
    setGroupSplits(importId: string, changes: Iterable<readonly [string, Split]>): void {
      for (const [grp, split] of changes) setGroupSplit.run(split, importId, grp);
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
    /** How many of the images this import stored anew its staged examples use. */
    usedCount(importId: string): number {
      return db
        .prepare(
          `SELECT COUNT(*) FROM staged_blobs b WHERE b.import_id = ?
           AND EXISTS (SELECT 1 FROM staged_examples s WHERE s.image_hash = b.hash AND s.import_id = b.import_id)`,
        )
        .pluck()
        .get(importId) as number;
    },
    /**
     * Moves the staged examples into `examples` under `datasetId`, ordinals 0..n-1 per split in
     * import order, and removes the import's staged rows (call inside the dataset's transaction).
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
      for (const c of clear) c.run(importId);
      return n;
    },
    /** Removes an import's staged examples, records and notes of images (call inside a transaction). */
    clear(importId: string): void {
      for (const c of clear) c.run(importId);
    },
    /** The imports with staged rows. */
    importIds(): string[] {
      return db
        .prepare(TABLES.map((t) => `SELECT import_id FROM ${t}`).join(' UNION '))
        .pluck()
        .all() as string[];
    },
  };
}
