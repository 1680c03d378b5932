import type { Migration } from './types';

/**
 * The user's own reference rows: published figures with a citation, shown beside runs in
 * Compare, the scaling view and Zero-shot but never mixed with them. The figures shipped with the
 * app (shared/reference/published.ts) are data in code, not rows here.
 */
export const referenceRows: Migration = {
  version: 50,
  name: 'reference-rows',
  up(db) {
    db.exec(`
      CREATE TABLE reference_rows (
        id TEXT PRIMARY KEY,
        model TEXT NOT NULL CHECK (length(model) > 0),
        family TEXT,
        scale TEXT,
        params INTEGER CHECK (params IS NULL OR params > 0),
        dataset TEXT NOT NULL CHECK (length(dataset) > 0),
        task TEXT,
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        mode TEXT NOT NULL CHECK (mode IN ('finetuned', 'zeroshot')),
        metric TEXT NOT NULL,
        metric_label TEXT,
        value REAL NOT NULL,
        value_text TEXT,
        n INTEGER,
        citation TEXT NOT NULL CHECK (length(citation) >= 3),
        url TEXT,
        as_quoted INTEGER NOT NULL DEFAULT 0 CHECK (as_quoted IN (0, 1)),
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX reference_rows_dataset ON reference_rows(dataset);
    `);
  },
};
