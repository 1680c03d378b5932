import { type Db, nowIso } from '#db/connection';

/** A checkpoint file a run wrote (weights + optimizer state + header), as the store lists it. */
export interface CheckpointRecord {
  readonly id: number;
  readonly runId: string;
  readonly step: number;
  readonly path: string;
  readonly bytes: number;
  readonly createdAt: string;
}

interface Row {
  id: number;
  run_id: string;
  step: number;
  path: string;
  bytes: number;
  created_at: string;
}

const toRecord = (r: Row): CheckpointRecord => ({
  id: r.id,
  runId: r.run_id,
  step: r.step,
  path: r.path,
  bytes: r.bytes,
  createdAt: r.created_at,
});

/** Checkpoints of runs; the newest one is where a resume starts. */
export function checkpointsRepo(db: Db) {
  return {
    /** Records a checkpoint; a second write at the same step replaces the first. */
    add(c: { runId: string; step: number; path: string; bytes: number }): CheckpointRecord {
      db.prepare(
        `INSERT INTO checkpoints (run_id, step, path, bytes, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, bytes = excluded.bytes, created_at = excluded.created_at`,
      ).run(c.runId, c.step, c.path, c.bytes, nowIso());
      return this.at(c.runId, c.step)!;
    },
    at(runId: string, step: number): CheckpointRecord | undefined {
      const row = db.prepare('SELECT * FROM checkpoints WHERE run_id = ? AND step = ?').get(runId, step) as
        | Row
        | undefined;
      return row ? toRecord(row) : undefined;
    },
    get(id: number): CheckpointRecord | undefined {
      const row = db.prepare('SELECT * FROM checkpoints WHERE id = ?').get(id) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    latest(runId: string): CheckpointRecord | undefined {
      const row = db
        .prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step DESC LIMIT 1')
        .get(runId) as Row | undefined;
      return row ? toRecord(row) : undefined;
    },
    list(runId: string): CheckpointRecord[] {
      return (db.prepare('SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step').all(runId) as Row[]).map(
        toRecord,
      );
    },
    remove(id: number): void {
      db.prepare('DELETE FROM checkpoints WHERE id = ?').run(id);
    },
  };
}

export type CheckpointsRepo = ReturnType<typeof checkpointsRepo>;
