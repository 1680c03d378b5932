import { type Db, nowIso } from '#db/connection';
import type { ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';

/** One submission of a run to a cluster (a resubmission is the next attempt). */
export interface ClusterJobRecord extends SlurmJobInfo {
  readonly id: number;
  readonly runId: string;
  readonly cluster: string;
  /** The profile as it was at submission (tracking goes on if the profile changes or goes). */
  readonly profile: unknown;
  readonly attempt: number;
  /** The array index of the run within its job script (0 for a single run). */
  readonly taskIndex: number;
  readonly bundleDir: string;
  readonly runDir: string;
  readonly submittedAt: string;
  readonly updatedAt: string;
  /** Slurm's final state and the run folder are both ingested: nothing more to follow. */
  readonly closed: boolean;
}

interface JobRow {
  id: number;
  owner: string;
  cluster: string;
  profile: string;
  attempt: number;
  job_id: string;
  task_index: number;
  bundle_dir: string;
  run_dir: string;
  state: string;
  reason: string | null;
  node: string | null;
  elapsed_s: number | null;
  exit_code: string | null;
  max_rss: number | null;
  submitted_at: string;
  updated_at: string;
  closed: number;
}

const toJob = (r: JobRow): ClusterJobRecord => ({
  id: r.id,
  runId: r.owner,
  cluster: r.cluster,
  profile: JSON.parse(r.profile) as unknown,
  attempt: r.attempt,
  jobId: r.job_id,
  taskIndex: r.task_index,
  bundleDir: r.bundle_dir,
  runDir: r.run_dir,
  state: r.state,
  reason: r.reason,
  node: r.node,
  elapsedSeconds: r.elapsed_s,
  exitCode: r.exit_code,
  maxRssBytes: r.max_rss,
  submittedAt: r.submitted_at,
  updatedAt: r.updated_at,
  closed: r.closed === 1,
});

/** How far one events file of a run folder has been ingested. */
export interface IngestCursor {
  readonly offset: number;
  readonly seq: number;
  readonly complete: boolean;
  /** The file's completion marker as the worker wrote it, once read. */
  readonly end?: unknown;
}

/** What a followed job belongs to: a run (`cluster_jobs`) or an evaluation (`cluster_eval_jobs`). */
interface Tables {
  readonly jobs: 'cluster_jobs' | 'cluster_eval_jobs';
  readonly ingest: 'cluster_ingest' | 'cluster_eval_ingest';
  readonly owner: 'run_id' | 'evaluation_id';
}

/**
 * The Slurm jobs of one kind of owner and their ingestion cursors. `runId` of a record (and the
 * `ownerId` arguments) is the owner's id: a run's, or an evaluation's for `cluster_eval_jobs`.
 */
function followedJobs(db: Db, t: Tables) {
  const select = `SELECT *, ${t.owner} AS owner FROM ${t.jobs}`;
  const getJob = (id: number): ClusterJobRecord | undefined => {
    const row = db.prepare(`${select} WHERE id = ?`).get(id) as JobRow | undefined;
    return row ? toJob(row) : undefined;
  };
  return {
    addJob(j: {
      runId: string;
      cluster: string;
      profile: ClusterProfile;
      jobId: string;
      taskIndex: number;
      bundleDir: string;
      runDir: string;
    }): ClusterJobRecord {
      const attempt =
        (
          db
            .prepare(`SELECT COALESCE(MAX(attempt), 0) AS n FROM ${t.jobs} WHERE ${t.owner} = ?`)
            .get(j.runId) as {
            n: number;
          }
        ).n + 1;
      const now = nowIso();
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO ${t.jobs} (${t.owner}, cluster, profile, attempt, job_id, task_index, bundle_dir, run_dir, state, submitted_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
        )
        .run(
          j.runId,
          j.cluster,
          JSON.stringify(j.profile),
          attempt,
          j.jobId,
          j.taskIndex,
          j.bundleDir,
          j.runDir,
          now,
          now,
        );
      return getJob(Number(lastInsertRowid))!;
    },
    /** The newest submission of an owner. */
    latestJob(ownerId: string): ClusterJobRecord | undefined {
      const row = db.prepare(`${select} WHERE ${t.owner} = ? ORDER BY attempt DESC LIMIT 1`).get(ownerId) as
        | JobRow
        | undefined;
      return row ? toJob(row) : undefined;
    },
    /** Owners that were ever submitted to a cluster, newest submission first. */
    runIds(): string[] {
      return (
        db
          .prepare(`SELECT ${t.owner} AS owner FROM ${t.jobs} GROUP BY ${t.owner} ORDER BY MAX(id) DESC`)
          .all() as {
          owner: string;
        }[]
      ).map((r) => r.owner);
    },
    /** Every submission, oldest first (housekeeping). */
    allJobs(): ClusterJobRecord[] {
      return (db.prepare(`${select} ORDER BY id`).all() as JobRow[]).map(toJob);
    },
    /** Submissions still followed (not closed), oldest first. */
    openJobs(): ClusterJobRecord[] {
      return (db.prepare(`${select} WHERE closed = 0 ORDER BY id`).all() as JobRow[]).map(toJob);
    },
    /** Stores what Slurm said; returns whether anything changed. */
    updateJob(id: number, info: Omit<SlurmJobInfo, 'jobId'>): boolean {
      return (
        db
          .prepare(
            `UPDATE ${t.jobs} SET state = ?, reason = ?, node = COALESCE(?, node), elapsed_s = COALESCE(?, elapsed_s),
               exit_code = COALESCE(?, exit_code), max_rss = COALESCE(?, max_rss), updated_at = ?
             WHERE id = ? AND NOT (state IS ? AND reason IS ? AND node IS COALESCE(?, node) AND elapsed_s IS COALESCE(?, elapsed_s)
               AND exit_code IS COALESCE(?, exit_code) AND max_rss IS COALESCE(?, max_rss))`,
          )
          .run(
            info.state,
            info.reason,
            info.node,
            info.elapsedSeconds,
            info.exitCode,
            info.maxRssBytes,
            nowIso(),
            id,
            info.state,
            info.reason,
            info.node,
            info.elapsedSeconds,
            info.exitCode,
            info.maxRssBytes,
          ).changes > 0
      );
    },
    closeJob(id: number): void {
      db.prepare(`UPDATE ${t.jobs} SET closed = 1, updated_at = ? WHERE id = ?`).run(nowIso(), id);
    },

    cursor(ownerId: string, file: string): IngestCursor {
      const row = db
        .prepare(
          `SELECT offset, seq, complete, end_record FROM ${t.ingest} WHERE ${t.owner} = ? AND file = ?`,
        )
        .get(ownerId, file) as
        | { offset: number; seq: number; complete: number; end_record: string | null }
        | undefined;
      return row
        ? {
            offset: row.offset,
            seq: row.seq,
            complete: row.complete === 1,
            end: row.end_record === null ? undefined : (JSON.parse(row.end_record) as unknown),
          }
        : { offset: 0, seq: 0, complete: false };
    },
    /** Every events file of an owner's folder seen so far. */
    files(ownerId: string): string[] {
      return (
        db.prepare(`SELECT file FROM ${t.ingest} WHERE ${t.owner} = ?`).all(ownerId) as { file: string }[]
      ).map((r) => r.file);
    },
    /** Moves a cursor forward (call in the transaction that stores what was read). */
    advance(ownerId: string, file: string, c: IngestCursor): void {
      db.prepare(
        `INSERT INTO ${t.ingest} (${t.owner}, file, offset, seq, complete, end_record) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (${t.owner}, file) DO UPDATE SET offset = excluded.offset, seq = excluded.seq, complete = excluded.complete,
           end_record = COALESCE(excluded.end_record, end_record)`,
      ).run(
        ownerId,
        file,
        c.offset,
        c.seq,
        c.complete ? 1 : 0,
        c.end === undefined ? null : JSON.stringify(c.end),
      );
    },
  };
}

/** The jobs and cursors of one kind of owner (runs or evaluations). */
export type FollowedJobs = ReturnType<typeof followedJobs>;

/** Cluster profiles, the Slurm jobs of runs (and, under `evaluations`, of evaluations), and ingestion cursors. */
export function clustersRepo(db: Db) {
  return {
    profiles(): unknown[] {
      return (
        db.prepare('SELECT profile FROM cluster_profiles ORDER BY name').all() as { profile: string }[]
      ).map((r) => JSON.parse(r.profile) as unknown);
    },
    profile(name: string): unknown {
      const row = db.prepare('SELECT profile FROM cluster_profiles WHERE name = ?').get(name) as
        | { profile: string }
        | undefined;
      return row ? (JSON.parse(row.profile) as unknown) : undefined;
    },
    saveProfile(p: ClusterProfile): void {
      const now = nowIso();
      db.prepare(
        `INSERT INTO cluster_profiles (name, profile, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET profile = excluded.profile, updated_at = excluded.updated_at`,
      ).run(p.name, JSON.stringify(p), now, now);
    },
    removeProfile(name: string): boolean {
      return db.prepare('DELETE FROM cluster_profiles WHERE name = ?').run(name).changes > 0;
    },
    ...followedJobs(db, { jobs: 'cluster_jobs', ingest: 'cluster_ingest', owner: 'run_id' }),
    /** The Slurm jobs of evaluations (`runId` of a record is the evaluation's id). */
    evaluations: followedJobs(db, {
      jobs: 'cluster_eval_jobs',
      ingest: 'cluster_eval_ingest',
      owner: 'evaluation_id',
    }),
  };
}

export type ClustersRepo = ReturnType<typeof clustersRepo>;
