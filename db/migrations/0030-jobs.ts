import type { Migration } from './types';

/**
 * The persistent job queue, and what evaluations need beyond the initial schema: the experiment
 * they belong to, the checkpoint file they decode from, progress and a log tail; predictions keep
 * the source text the model read (the example row keeps the raw inputs).
 */
export const jobs: Migration = {
  version: 30,
  name: 'jobs',
  up(db) {
    db.exec(`
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('train', 'evaluate')),
        run_id TEXT REFERENCES runs(id) ON DELETE CASCADE,
        evaluation_id TEXT REFERENCES evaluations(id) ON DELETE CASCADE,
        device TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        spec TEXT NOT NULL CHECK (json_valid(spec)),
        priority INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        pid INTEGER,
        CHECK ((run_id IS NULL) <> (evaluation_id IS NULL))
      ) STRICT;
      CREATE INDEX jobs_queue ON jobs(status, device, priority DESC, id);
      CREATE INDEX jobs_run ON jobs(run_id);
      CREATE INDEX jobs_evaluation ON jobs(evaluation_id);

      ALTER TABLE evaluations ADD COLUMN experiment_id TEXT REFERENCES experiments(id) ON DELETE CASCADE;
      ALTER TABLE evaluations ADD COLUMN checkpoint_path TEXT;
      ALTER TABLE evaluations ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE evaluations ADD COLUMN total INTEGER;
      ALTER TABLE evaluations ADD COLUMN log_tail TEXT NOT NULL DEFAULT '';
      ALTER TABLE evaluations ADD COLUMN started_at TEXT;
      CREATE INDEX evaluations_experiment ON evaluations(experiment_id);

      ALTER TABLE predictions ADD COLUMN source TEXT NOT NULL DEFAULT '';
    `);
  },
};
