import type { Migration } from './types';

/** The experiment store: datasets, images, experiments, runs and everything they produce. */
export const initial: Migration = {
  version: 10,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        format TEXT NOT NULL,
        task TEXT NOT NULL,
        source_path TEXT,
        content_hash TEXT NOT NULL UNIQUE,
        synthetic INTEGER NOT NULL DEFAULT 0 CHECK (synthetic IN (0, 1)),
        meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE blobs (
        hash TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        mime TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE examples (
        id INTEGER PRIMARY KEY,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        ordinal INTEGER NOT NULL,
        task TEXT NOT NULL,
        image_hash TEXT REFERENCES blobs(hash),
        inputs TEXT NOT NULL CHECK (json_valid(inputs)),
        target TEXT NOT NULL,
        candidates TEXT CHECK (candidates IS NULL OR json_valid(candidates)),
        meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)),
        UNIQUE (dataset_id, split, ordinal)
      ) STRICT;
      CREATE INDEX examples_image ON examples(image_hash);

      CREATE TABLE experiments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        config TEXT NOT NULL CHECK (json_valid(config)),
        config_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX experiments_hash ON experiments(config_hash);

      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN
          ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'interrupted')),
        scale TEXT NOT NULL,
        task TEXT NOT NULL,
        dataset_id TEXT REFERENCES datasets(id) ON DELETE SET NULL,
        config TEXT NOT NULL CHECK (json_valid(config)),
        params INTEGER,
        backend TEXT,
        device TEXT,
        step INTEGER NOT NULL DEFAULT 0,
        total_steps INTEGER,
        best_metric_name TEXT,
        best_metric REAL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT,
        log_tail TEXT NOT NULL DEFAULT '',
        starred INTEGER NOT NULL DEFAULT 0 CHECK (starred IN (0, 1))
      ) STRICT;
      CREATE INDEX runs_created ON runs(created_at);
      CREATE INDEX runs_status ON runs(status, created_at);
      CREATE INDEX runs_experiment ON runs(experiment_id);
      CREATE INDEX runs_dataset ON runs(dataset_id);

      CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        step INTEGER NOT NULL,
        value REAL NOT NULL,
        wall_time REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        path TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (run_id, step)
      ) STRICT;

      CREATE TABLE evaluations (
        id TEXT PRIMARY KEY,
        run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
        checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        split TEXT NOT NULL CHECK (split IN ('train', 'validation', 'test')),
        mode TEXT NOT NULL CHECK (mode IN ('finetuned', 'zeroshot')),
        status TEXT NOT NULL CHECK (status IN
          ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'interrupted')),
        decoding TEXT NOT NULL CHECK (json_valid(decoding)),
        metrics TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metrics)),
        created_at TEXT NOT NULL,
        finished_at TEXT,
        error TEXT
      ) STRICT;
      CREATE INDEX evaluations_run ON evaluations(run_id);

      CREATE TABLE predictions (
        evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        example_id INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
        prediction TEXT NOT NULL,
        reference TEXT NOT NULL,
        correct INTEGER CHECK (correct IS NULL OR correct IN (0, 1)),
        score REAL,
        scores TEXT CHECK (scores IS NULL OR json_valid(scores)),
        PRIMARY KEY (evaluation_id, example_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE tags (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX tags_tag ON tags(tag);

      CREATE TABLE notes (
        run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
