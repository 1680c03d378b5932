import { type Db, nowIso } from '#db/connection';
import type { ExampleMeta } from '#shared/domain/dataset';

/** The source file of a stored image, and the variant (size, frame) it was stored at. */
export interface ImageSourceRecord {
  readonly path: string;
  /** `max480`, `original`, with `/frame3` for a chosen DICOM frame. */
  readonly variant: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** sha256 (hex) of the source file's bytes. */
  readonly sourceSha256: string;
  readonly blobHash: string;
  /** The technical metadata the decode gave (DICOM modality, body part); nothing identifying. */
  readonly meta: ExampleMeta;
  /** Whether the decode had in-memory grouping keys (DICOM patient/study), which are never stored. */
  readonly grouped: boolean;
}

interface Row {
  path: string;
  variant: string;
  size: number;
  mtime_ms: number;
  source_sha256: string;
  blob_hash: string;
  meta: string;
  grouped: number;
}

const fromRow = (r: Row): ImageSourceRecord => ({
  path: r.path,
  variant: r.variant,
  size: r.size,
  mtimeMs: r.mtime_ms,
  sourceSha256: r.source_sha256,
  blobHash: r.blob_hash,
  meta: JSON.parse(r.meta) as ExampleMeta,
  grouped: r.grouped === 1,
});

/** Image provenance and the resume index of imports (`image_sources`, migration 0090). */
export function imageSourcesRepo(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO image_sources (path, variant, size, mtime_ms, source_sha256, blob_hash, meta, grouped, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (path, variant) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
       source_sha256 = excluded.source_sha256, blob_hash = excluded.blob_hash, meta = excluded.meta,
       grouped = excluded.grouped, created_at = excluded.created_at`,
  );
  const byKey = db.prepare('SELECT * FROM image_sources WHERE path = ? AND variant = ?');
  return {
    /** Records (or replaces) the source of each blob; the blob rows must exist. */
    putMany(rows: readonly ImageSourceRecord[]): void {
      const now = nowIso();
      for (const r of rows) {
        upsert.run(
          r.path,
          r.variant,
          r.size,
          r.mtimeMs,
          r.sourceSha256,
          r.blobHash,
          JSON.stringify(r.meta),
          r.grouped ? 1 : 0,
          now,
        );
      }
    },
    get(path: string, variant: string): ImageSourceRecord | undefined {
      const r = byKey.get(path, variant) as Row | undefined;
      return r ? fromRow(r) : undefined;
    },
    /** The sources a blob was made from (one file may be stored at several sizes, and vice versa). */
    ofBlob(hash: string): ImageSourceRecord[] {
      return (
        db.prepare('SELECT * FROM image_sources WHERE blob_hash = ? ORDER BY path').all(hash) as Row[]
      ).map(fromRow);
    },
    count(): number {
      return db.prepare('SELECT COUNT(*) FROM image_sources').pluck().get() as number;
    },
  };
}
