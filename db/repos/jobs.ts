import { type Db, nowIso } from '#db/connection';

/** What a queued job runs. */
export type JobKind = 'train' | 'evaluate';
/** A job's place in the queue; the run or evaluation it serves has its own, richer status. */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** One row of the persistent queue. */
export interface JobRecord {
  readonly id: number;
  readonly kind: JobKind;
  readonly runId: string | null;
  readonly evaluationId: string | null;
  readonly device: string;
  readonly status: JobStatus;
  /** The worker's start payload (JSON), validated by the protocol when it is sent. */
  readonly spec: unknown;
  readonly priority: number;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly pid: number | null;
}

interface JobRow {
  id: number;
  kind: JobKind;
  run_id: string | null;
  evaluation_id: string | null;
  device: string;
  status: JobStatus;
  spec: string;
  priority: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  pid: number | null;
}

const toRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  kind: r.kind,
  runId: r.run_id,
  evaluationId: r.evaluation_id,
  device: r.device,
  status: r.status,
  spec: JSON.parse(r.spec) as unknown,
  priority: r.priority,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  pid: r.pid,
});

/** The job queue: survives restarts, so queued work starts again when the app does. */
export function jobsRepo(db: Db) {
  const get = (id: number): JobRecord | undefined => {
    const row = db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  };
  return {
    get,

    enqueue(job: {
      kind: JobKind;
      runId?: string | null;
      evaluationId?: string | null;
      device: string;
      spec: unknown;
      priority?: number;
    }): JobRecord {
      const info = db
        .prepare(
          `INSERT INTO jobs (kind, run_id, evaluation_id, device, status, spec, priority, created_at)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
        )
        .run(
          job.kind,
          job.runId ?? null,
          job.evaluationId ?? null,
          job.device,
          JSON.stringify(job.spec),
          job.priority ?? 0,
          nowIso(),
        );
      return get(Number(info.lastInsertRowid))!;
    },

    /** The next queued job for a device: highest priority, then oldest. */
    next(device: string): JobRecord | undefined {
      const row = db
        .prepare(
          "SELECT * FROM jobs WHERE status = 'queued' AND device = ? ORDER BY priority DESC, id LIMIT 1",
        )
        .get(device) as JobRow | undefined;
      return row ? toRecord(row) : undefined;
    },

    /** Devices that have queued jobs. */
    queuedDevices(): string[] {
      return (
        db.prepare("SELECT DISTINCT device FROM jobs WHERE status = 'queued'").all() as { device: string }[]
      ).map((r) => r.device);
    },

    markRunning(id: number, pid: number | null): void {
      db.prepare("UPDATE jobs SET status = 'running', started_at = ?, pid = ? WHERE id = ?").run(
        nowIso(),
        pid,
        id,
      );
    },

    finish(id: number, status: Exclude<JobStatus, 'queued' | 'running'>): void {
      db.prepare('UPDATE jobs SET status = ?, finished_at = ? WHERE id = ?').run(status, nowIso(), id);
    },

    /** Jobs of a run or an evaluation that are still queued or running. */
    activeFor(target: { runId?: string; evaluationId?: string }): JobRecord[] {
      const rows = db
        .prepare(
          "SELECT * FROM jobs WHERE status IN ('queued', 'running') AND (run_id = ? OR evaluation_id = ?) ORDER BY id",
        )
        .all(target.runId ?? null, target.evaluationId ?? null) as JobRow[];
      return rows.map(toRecord);
    },

    /** The newest job of a run (of one kind) or of an evaluation: what a resume queues again. */
    latestFor(target: { runId: string; kind: JobKind } | { evaluationId: string }): JobRecord | undefined {
      const row = (
        'runId' in target
          ? db
              .prepare('SELECT * FROM jobs WHERE run_id = ? AND kind = ? ORDER BY id DESC LIMIT 1')
              .get(target.runId, target.kind)
          : db
              .prepare('SELECT * FROM jobs WHERE evaluation_id = ? ORDER BY id DESC LIMIT 1')
              .get(target.evaluationId)
      ) as JobRow | undefined;
      return row ? toRecord(row) : undefined;
    },

    /** Jobs left `running` by a crash of the main process: marks them failed, returns them. */
    abandonRunning(): JobRecord[] {
      const rows = db.prepare("SELECT * FROM jobs WHERE status = 'running'").all() as JobRow[];
      db.prepare("UPDATE jobs SET status = 'failed', finished_at = ? WHERE status = 'running'").run(nowIso());
      return rows.map(toRecord);
    },

    list(status?: JobStatus): JobRecord[] {
      const rows = (
        status
          ? db.prepare('SELECT * FROM jobs WHERE status = ? ORDER BY id').all(status)
          : db.prepare('SELECT * FROM jobs ORDER BY id').all()
      ) as JobRow[];
      return rows.map(toRecord);
    },
  };
}

export type JobsRepo = ReturnType<typeof jobsRepo>;
