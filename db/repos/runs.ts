import { randomUUID } from 'node:crypto';
import { type Db, nowIso } from '#db/connection';
import type { RunStatus, RunSummary } from '#shared/domain/run';
import { buildRunQuery, type RunQuery } from './run-query';
import { RUN_SELECT, type RunRow, toRunSummary } from './run-rows';

/** What a new run is made of. */
export interface NewRun {
  readonly id?: string;
  readonly experimentId: string;
  readonly name: string;
  readonly scale: string;
  readonly task: string;
  readonly datasetId: string | null;
  readonly config: Readonly<Record<string, unknown>>;
  readonly params?: number | null;
  readonly totalSteps?: number | null;
  readonly status?: RunStatus;
  readonly createdAt?: string;
}

/** Fields a worker or the scheduler updates as a run progresses. */
export interface RunPatch {
  status?: RunStatus;
  backend?: string | null;
  device?: string | null;
  step?: number;
  totalSteps?: number | null;
  bestMetricName?: string | null;
  bestMetric?: number | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: string | null;
  logTail?: string;
  /** The model's parameter count, once the worker has built it. */
  params?: number | null;
}

const PATCH_COLUMNS: Record<keyof RunPatch, string> = {
  status: 'status',
  backend: 'backend',
  device: 'device',
  step: 'step',
  totalSteps: 'total_steps',
  bestMetricName: 'best_metric_name',
  bestMetric: 'best_metric',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  logTail: 'log_tail',
  params: 'params',
};

/** The runs aggregate: runs with their tags, notes and stars. */
export function runsRepo(db: Db) {
  const tagsOf = (ids: readonly string[]): Map<string, string[]> => {
    const map = new Map<string, string[]>();
    if (ids.length === 0) return map;
    const rows = db
      .prepare(`SELECT run_id, tag FROM tags WHERE run_id IN (${ids.map(() => '?').join(', ')}) ORDER BY tag`)
      .all(...ids) as { run_id: string; tag: string }[];
    for (const r of rows) map.set(r.run_id, [...(map.get(r.run_id) ?? []), r.tag]);
    return map;
  };

  const get = (id: string): RunSummary | undefined => {
    const row = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
    return row ? toRunSummary(row, tagsOf([id]).get(id) ?? []) : undefined;
  };

  return {
    get,

    /** Runs matching a query, with the total count for paging. */
    list(q: RunQuery): { total: number; runs: RunSummary[] } {
      const { where, order, params } = buildRunQuery(q);
      const whereParams = params.slice(0, params.length - (q.sort.startsWith('metric:') ? 2 : 0));
      // The joins matter to the count only when the search looks at dataset names and notes.
      const joins = q.search?.trim()
        ? 'LEFT JOIN datasets d ON d.id = r.dataset_id LEFT JOIN notes n ON n.run_id = r.id'
        : '';
      const total = (
        db.prepare(`SELECT COUNT(*) AS n FROM runs r ${joins} ${where}`).get(...whereParams) as { n: number }
      ).n;
      const rows = db
        .prepare(`${RUN_SELECT} ${where} ORDER BY ${order} LIMIT ? OFFSET ?`)
        .all(...params, q.limit, q.offset) as RunRow[];
      const tags = tagsOf(rows.map((r) => r.id));
      return { total, runs: rows.map((r) => toRunSummary(r, tags.get(r.id) ?? [])) };
    },

    insert(run: NewRun): RunSummary {
      const id = run.id ?? randomUUID();
      db.prepare(
        `INSERT INTO runs (id, experiment_id, name, status, scale, task, dataset_id, config, params, total_steps, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        run.experimentId,
        run.name,
        run.status ?? 'queued',
        run.scale,
        run.task,
        run.datasetId,
        JSON.stringify(run.config),
        run.params ?? null,
        run.totalSteps ?? null,
        run.createdAt ?? nowIso(),
      );
      return get(id)!;
    },

    update(id: string, patch: RunPatch): RunSummary | undefined {
      const keys = (Object.keys(patch) as (keyof RunPatch)[]).filter((k) => patch[k] !== undefined);
      if (keys.length > 0) {
        const sets = keys.map((k) => `${PATCH_COLUMNS[k]} = ?`).join(', ');
        db.prepare(`UPDATE runs SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id);
      }
      return get(id);
    },

    /** Ids equal to `ref` or starting with it (at most `limit`): the CLI's run references. */
    matchIds(ref: string, limit = 3): string[] {
      return db
        .prepare("SELECT id FROM runs WHERE id = ? OR id LIKE ? || '%' LIMIT ?")
        .pluck()
        .all(ref, ref, limit) as string[];
    },

    config(id: string): Record<string, unknown> | undefined {
      const row = db.prepare('SELECT config FROM runs WHERE id = ?').get(id) as
        | { config: string }
        | undefined;
      return row ? (JSON.parse(row.config) as Record<string, unknown>) : undefined;
    },

    logTail(id: string): string {
      const row = db.prepare('SELECT log_tail FROM runs WHERE id = ?').get(id) as
        | { log_tail: string }
        | undefined;
      return row?.log_tail ?? '';
    },

    byStatus(status: RunStatus): RunSummary[] {
      const rows = db
        .prepare(`${RUN_SELECT} WHERE r.status = ? ORDER BY r.created_at, r.id`)
        .all(status) as RunRow[];
      const tags = tagsOf(rows.map((r) => r.id));
      return rows.map((r) => toRunSummary(r, tags.get(r.id) ?? []));
    },

    setNote(id: string, body: string): void {
      if (body === '') db.prepare('DELETE FROM notes WHERE run_id = ?').run(id);
      else
        db.prepare(
          'INSERT INTO notes (run_id, body, updated_at) VALUES (?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at',
        ).run(id, body, nowIso());
    },

    tag(id: string, add: readonly string[], remove: readonly string[]): void {
      db.transaction(() => {
        const ins = db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)');
        const del = db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?');
        for (const t of add) ins.run(id, t);
        for (const t of remove) del.run(id, t);
      })();
    },

    star(id: string, starred: boolean): void {
      db.prepare('UPDATE runs SET starred = ? WHERE id = ?').run(starred ? 1 : 0, id);
    },

    allTags(): string[] {
      return (db.prepare('SELECT DISTINCT tag FROM tags ORDER BY tag').all() as { tag: string }[]).map(
        (r) => r.tag,
      );
    },

    delete(id: string): boolean {
      return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
    },

    /** Marks runs left `running` by a crash as `interrupted`; returns their ids. */
    markInterrupted(reason: string): string[] {
      // Runs a cluster runs go on while the app is closed: the cluster tracker follows them.
      const local = "status = 'running' AND id NOT IN (SELECT run_id FROM cluster_jobs WHERE closed = 0)";
      const ids = (db.prepare(`SELECT id FROM runs WHERE ${local}`).all() as { id: string }[]).map(
        (r) => r.id,
      );
      db.prepare(`UPDATE runs SET status = 'interrupted', error = ? WHERE ${local}`).run(reason);
      return ids;
    },
  };
}

export type RunsRepo = ReturnType<typeof runsRepo>;
