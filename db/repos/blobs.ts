import { type Db, nowIso } from '#db/connection';

/** A stored image's row. */
export interface BlobRecord {
  readonly hash: string;
  readonly bytes: number;
  readonly mime: string;
  readonly width: number | null;
  readonly height: number | null;
}

/** The blobs aggregate: one row per stored image (files live in `BlobStore`). */
export function blobsRepo(db: Db) {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO blobs (hash, bytes, mime, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return {
    /** Inserts rows that are not there yet; returns how many were new. */
    insertMany(rows: readonly BlobRecord[]): number {
      const now = nowIso();
      let n = 0;
      for (const r of rows) n += insert.run(r.hash, r.bytes, r.mime, r.width, r.height, now).changes;
      return n;
    },
    get(hash: string): BlobRecord | undefined {
      return db.prepare('SELECT hash, bytes, mime, width, height FROM blobs WHERE hash = ?').get(hash) as
        | BlobRecord
        | undefined;
    },
    /** Which of `hashes` have a row. */
    existing(hashes: readonly string[]): Set<string> {
      const found = new Set<string>();
      const stmt = db.prepare('SELECT hash FROM blobs WHERE hash = ?').pluck();
      for (const h of hashes) if (stmt.get(h) !== undefined) found.add(h);
      return found;
    },
    /** Which of `hashes` no example references. */
    unreferenced(hashes: readonly string[]): string[] {
      const used = db.prepare('SELECT 1 FROM examples WHERE image_hash = ? LIMIT 1').pluck();
      return hashes.filter((h) => used.get(h) === undefined);
    },
    /** Rows no example references (after a dataset is deleted). */
    orphans(): string[] {
      return db
        .prepare(
          `SELECT hash FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM examples e WHERE e.image_hash = b.hash)
           AND NOT EXISTS (SELECT 1 FROM staged_examples s WHERE s.image_hash = b.hash)`,
        )
        .pluck()
        .all() as string[];
    },
    /** Deletes rows (callers remove the files). */
    deleteMany(hashes: readonly string[]): void {
      const stmt = db.prepare('DELETE FROM blobs WHERE hash = ?');
      for (const h of hashes) stmt.run(h);
    },
    /** Every row, by hash. */
    list(): BlobRecord[] {
      return db
        .prepare('SELECT hash, bytes, mime, width, height FROM blobs ORDER BY hash')
        .all() as BlobRecord[];
    },
    count(): number {
      return db.prepare('SELECT COUNT(*) FROM blobs').pluck().get() as number;
    },
  };
}

export type BlobsRepo = ReturnType<typeof blobsRepo>;
