import { randomUUID } from 'node:crypto';
import { type Db, nowIso } from '#db/connection';
import type {
  Decoding,
  EvaluationMode,
  EvaluationPipeline,
  EvaluationSummary,
  MetricWithCi,
} from '#shared/domain/evaluation';
import type { RunStatus } from '#shared/domain/run';
import { CLUSTER_COLUMNS, type ClusterColumns, clusterOf } from './run-rows';

/** What a new evaluation is made of. */
export interface NewEvaluation {
  readonly runId: string | null;
  readonly experimentId: string | null;
  readonly checkpointId: number | null;
  readonly checkpointPath: string | null;
  /** Imported weights decoded directly (no run). */
  readonly weightsId?: string | null;
  readonly datasetId: string;
  readonly split: 'train' | 'validation' | 'test';
  readonly mode: EvaluationMode;
  readonly decoding: Decoding;
  /** How the figures are computed (null: raw text, as before pipelines were recorded). */
  readonly pipeline?: EvaluationPipeline | null;
}

/** Fields the scheduler updates as an evaluation progresses. */
export interface EvaluationPatch {
  status?: RunStatus;
  done?: number;
  total?: number | null;
  metrics?: Readonly<Record<string, MetricWithCi>>;
  startedAt?: string | null;
  finishedAt?: string | null;
  error?: string | null;
  logTail?: string;
  /** The checkpoint a cluster evaluation decoded, once its run's checkpoint is ingested. */
  checkpointId?: number | null;
}

const COLUMNS: Record<keyof EvaluationPatch, string> = {
  status: 'status',
  done: 'done',
  total: 'total',
  metrics: 'metrics',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  error: 'error',
  logTail: 'log_tail',
  checkpointId: 'checkpoint_id',
};

interface Row extends ClusterColumns {
  id: string;
  run_id: string | null;
  experiment_id: string | null;
  checkpoint_id: number | null;
  checkpoint_step: number | null;
  dataset_id: string;
  dataset_name: string | null;
  split: EvaluationSummary['split'];
  mode: EvaluationMode;
  status: RunStatus;
  decoding: string;
  pipeline: string | null;
  metrics: string;
  done: number;
  total: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  log_tail: string;
  weights_id: string | null;
  weights_name: string | null;
}

const SELECT = `
  SELECT e.*, d.name AS dataset_name, c.step AS checkpoint_step, w.name AS weights_name,
         ${CLUSTER_COLUMNS}
  FROM evaluations e
  LEFT JOIN datasets d ON d.id = e.dataset_id
  LEFT JOIN checkpoints c ON c.id = e.checkpoint_id
  LEFT JOIN weights w ON w.id = e.weights_id
  LEFT JOIN cluster_eval_jobs cj ON cj.id = (SELECT MAX(id) FROM cluster_eval_jobs WHERE evaluation_id = e.id)`;

const toSummary = (r: Row): EvaluationSummary => ({
  id: r.id,
  runId: r.run_id,
  experimentId: r.experiment_id,
  checkpointId: r.checkpoint_id,
  checkpointStep: r.checkpoint_step,
  weightsId: r.weights_id,
  weightsName: r.weights_name,
  datasetId: r.dataset_id,
  datasetName: r.dataset_name,
  split: r.split,
  mode: r.mode,
  status: r.status,
  decoding: JSON.parse(r.decoding) as Decoding,
  pipeline: r.pipeline ? (JSON.parse(r.pipeline) as EvaluationPipeline) : null,
  metrics: JSON.parse(r.metrics) as Record<string, MetricWithCi>,
  done: r.done,
  total: r.total,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  error: r.error,
  logTail: r.log_tail,
  cluster: clusterOf(r),
});

/** Evaluations of checkpoints on dataset splits. */
export function evaluationsRepo(db: Db) {
  const get = (id: string): EvaluationSummary | undefined => {
    const row = db.prepare(`${SELECT} WHERE e.id = ?`).get(id) as Row | undefined;
    return row ? toSummary(row) : undefined;
  };
  return {
    get,
    insert(e: NewEvaluation): EvaluationSummary {
      const id = randomUUID();
      db.prepare(
        `INSERT INTO evaluations (id, run_id, experiment_id, checkpoint_id, checkpoint_path, weights_id, dataset_id, split, mode, status, decoding, pipeline, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      ).run(
        id,
        e.runId,
        e.experimentId,
        e.checkpointId,
        e.checkpointPath,
        e.weightsId ?? null,
        e.datasetId,
        e.split,
        e.mode,
        JSON.stringify(e.decoding),
        e.pipeline ? JSON.stringify(e.pipeline) : null,
        nowIso(),
      );
      return get(id)!;
    },
    update(id: string, patch: EvaluationPatch): EvaluationSummary | undefined {
      const keys = (Object.keys(patch) as (keyof EvaluationPatch)[]).filter((k) => patch[k] !== undefined);
      if (keys.length > 0) {
        const values = keys.map((k) => (k === 'metrics' ? JSON.stringify(patch[k]) : (patch[k] ?? null)));
        db.prepare(
          `UPDATE evaluations SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(', ')} WHERE id = ?`,
        ).run(...values, id);
      }
      return get(id);
    },
    checkpointPath(id: string): string | null {
      const row = db.prepare('SELECT checkpoint_path FROM evaluations WHERE id = ?').get(id) as
        | { checkpoint_path: string | null }
        | undefined;
      return row?.checkpoint_path ?? null;
    },
    list(
      filter: { runId?: string; experimentId?: string; datasetId?: string; weightsId?: string } = {},
    ): EvaluationSummary[] {
      const clauses: string[] = [];
      const params: string[] = [];
      for (const [col, v] of [
        ['e.run_id', filter.runId],
        ['e.experiment_id', filter.experimentId],
        ['e.dataset_id', filter.datasetId],
        ['e.weights_id', filter.weightsId],
      ] as const) {
        if (v) {
          clauses.push(`${col} = ?`);
          params.push(v);
        }
      }
      const where = clauses.length ? `WHERE ${clauses.join(' AND ')}` : '';
      return (db.prepare(`${SELECT} ${where} ORDER BY e.created_at, e.id`).all(...params) as Row[]).map(
        toSummary,
      );
    },
    /** Evaluations left `running` by a crash: marks them interrupted; returns their ids. */
    markInterrupted(reason: string): string[] {
      // Evaluations a cluster decodes go on while the app is closed: the cluster tracker follows them.
      const local =
        "status = 'running' AND id NOT IN (SELECT evaluation_id FROM cluster_eval_jobs WHERE closed = 0)";
      const ids = (db.prepare(`SELECT id FROM evaluations WHERE ${local}`).all() as { id: string }[]).map(
        (r) => r.id,
      );
      db.prepare(`UPDATE evaluations SET status = 'interrupted', error = ? WHERE ${local}`).run(reason);
      return ids;
    },
    delete(id: string): boolean {
      return db.prepare('DELETE FROM evaluations WHERE id = ?').run(id).changes > 0;
    },
  };
}

export type EvaluationsRepo = ReturnType<typeof evaluationsRepo>;
