import type { Migration } from './types';

/**
 * Examples of an import in progress (issue 22: memory flat whatever the count). An import writes
 * its examples here batch by batch, in several transactions, so it never holds them all; the
 * dataset and its `examples` rows appear in ONE transaction at the end (INSERT ... SELECT), so no
 * list or query ever sees half a dataset. `seq` is the example's place in the import; `split` is
 * the official one (or train) until the drawn splits are set at the end. An import that fails
 * removes its rows; one whose process died leaves rows the next import removes.
 */
export const stagedExamples: Migration = {
  version: 110,
  name: 'staged-examples',
  up(db) {
    db.exec(`
      CREATE TABLE staged_examples (
        import_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        task TEXT NOT NULL,
        image_hash TEXT,
        inputs TEXT NOT NULL CHECK (json_valid(inputs)),
        target TEXT NOT NULL,
        candidates TEXT CHECK (candidates IS NULL OR json_valid(candidates)),
        meta TEXT NOT NULL CHECK (json_valid(meta)),
        PRIMARY KEY (import_id, seq)
      ) STRICT;
      CREATE INDEX staged_examples_image ON staged_examples(image_hash);
    `);
  },
};
