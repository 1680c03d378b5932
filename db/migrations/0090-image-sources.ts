import type { Migration } from './types';

/**
 * Where each stored image came from: the source file (path, size, modification time, sha256 of
 * its bytes) and the stored variant (long side, DICOM frame). It is the provenance of a blob (a
 * later import at another size can be checked against the same sources) and what an interrupted
 * import reuses when it runs again. A row goes with its blob.
 */
export const imageSources: Migration = {
  version: 90,
  name: 'image-sources',
  up(db) {
    db.exec(`
      CREATE TABLE image_sources (
        path TEXT NOT NULL,
        variant TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        source_sha256 TEXT NOT NULL,
        blob_hash TEXT NOT NULL REFERENCES blobs(hash) ON DELETE CASCADE,
        meta TEXT NOT NULL,
        grouped INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (path, variant)
      );
      CREATE INDEX image_sources_blob ON image_sources(blob_hash);
    `);
  },
};
