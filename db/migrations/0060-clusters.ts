import type { Migration } from './types';

/**
 * Slurm clusters: profiles (how to reach a cluster and what to ask it for), the Slurm jobs that
 * run a run (one row per submission, so a resubmission is a new attempt), and how far each events
 * file of a run folder has been ingested (so ingesting again stores nothing twice).
 */
export const clusters: Migration = {
  version: 60,
  name: 'clusters',
  up(db) {
    db.exec(`
      CREATE TABLE cluster_profiles (
        name TEXT PRIMARY KEY,
        profile TEXT NOT NULL CHECK (json_valid(profile)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE cluster_jobs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
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
        UNIQUE (run_id, attempt)
      ) STRICT;
      CREATE INDEX cluster_jobs_open ON cluster_jobs(closed, run_id);

      CREATE TABLE cluster_ingest (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        file TEXT NOT NULL,
        offset INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
        end_record TEXT CHECK (end_record IS NULL OR json_valid(end_record)),
        PRIMARY KEY (run_id, file)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
