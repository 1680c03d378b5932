import type { Migration } from './types';

/**
 * Evaluations as Slurm jobs: the jobs that decode an evaluation on a cluster (one row per
 * submission, a resubmission is the next attempt) and how far each events file of the
 * evaluation's folder has been ingested. The same shape as a run's (0060), owned by an
 * evaluation instead, so zero-shot evaluations of imported weights (no run) have jobs too.
 */
export const clusterEvaluations: Migration = {
  version: 100,
  name: 'cluster-evaluations',
  up(db) {
    db.exec(`
      CREATE TABLE cluster_eval_jobs (
        id INTEGER PRIMARY KEY,
        evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        cluster TEXT NOT NULL,
        profile TEXT NOT NULL CHECK (json_valid(profile)),
        attempt INTEGER NOT NULL,
        job_id TEXT NOT NULL,
        task_index INTEGER NOT NULL,
        bundle_dir TEXT NOT NULL,
        run_dir TEXT NOT NULL,
        state TEXT NOT NULL,
        reason TEXT,
        node TEXT,
        elapsed_s REAL,
        exit_code TEXT,
        max_rss INTEGER,
        submitted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1)),
        UNIQUE (evaluation_id, attempt)
      ) STRICT;
      CREATE INDEX cluster_eval_jobs_open ON cluster_eval_jobs(closed, evaluation_id);

      CREATE TABLE cluster_eval_ingest (
        evaluation_id TEXT NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        file TEXT NOT NULL,
        offset INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
        end_record TEXT CHECK (end_record IS NULL OR json_valid(end_record)),
        PRIMARY KEY (evaluation_id, file)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
