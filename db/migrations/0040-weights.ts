import type { Migration } from './types';

/**
 * Imported published weights (BiomedGPT / OFA checkpoints converted to the engine's safetensors
 * format under `<data folder>/weights/<id>/`): what was detected and the load report of every key.
 */
export const weights: Migration = {
  version: 40,
  name: 'weights',
  up(db) {
    db.exec(`
      CREATE TABLE weights (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        preset TEXT NOT NULL,
        config TEXT NOT NULL CHECK (json_valid(config)),
        parameter_count INTEGER NOT NULL,
        source_path TEXT NOT NULL,
        source_format TEXT NOT NULL CHECK (source_format IN ('fairseq-pt', 'hf-bin', 'safetensors')),
        source_bytes INTEGER NOT NULL,
        dtype TEXT NOT NULL,
        tensor_source TEXT NOT NULL,
        fairseq_arch TEXT,
        vocabulary TEXT NOT NULL CHECK (json_valid(vocabulary)),
        sha256 TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        stored_bytes INTEGER NOT NULL,
        report TEXT NOT NULL CHECK (json_valid(report)),
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX weights_sha256 ON weights(sha256);
    `);
  },
};
