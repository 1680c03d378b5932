import type { Migration } from './types';

/**
 * What a streamed import keeps per record until it ends, out of the process's memory (issue 22:
 * memory flat whatever the count):
 * - `staged_examples.grp` and `.official`: the group that keeps an example's split together and
 *   whether its split is the dataset's own, so the splits are drawn from the staged rows;
 * - `staged_records`: the first record of each id (digests of its id and content, its line), the
 *   repeat check across batches;
 * - `staged_blobs`: the images this import stored anew, removed again if it fails or is a duplicate.
 * All keyed by the import id, published or removed with the staged examples.
 */
export const importState: Migration = {
  version: 120,
  name: 'import-state',
  up(db) {
    db.exec(`
      ALTER TABLE staged_examples ADD COLUMN grp TEXT NOT NULL DEFAULT '';
      ALTER TABLE staged_examples ADD COLUMN official INTEGER NOT NULL DEFAULT 0 CHECK (official IN (0, 1));
      CREATE INDEX staged_examples_group ON staged_examples(import_id, grp);
      CREATE TABLE staged_records (
        import_id TEXT NOT NULL,
        key TEXT NOT NULL,
        content TEXT NOT NULL,
        line INTEGER,
        PRIMARY KEY (import_id, key)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE staged_blobs (
        import_id TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (import_id, hash)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
