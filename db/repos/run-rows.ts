import type { RunSummary } from '#shared/domain/run';

/** The columns `runs.list` and `runs.get` select, joined with dataset name and note. */
export const RUN_SELECT = `
  SELECT r.id, r.experiment_id, r.name, r.status, r.scale, r.task, r.dataset_id, d.name AS dataset_name,
         r.backend, r.device, r.params, r.step, r.total_steps, r.best_metric_name, r.best_metric,
         r.created_at, r.started_at, r.finished_at, r.error, r.starred, COALESCE(n.body, '') AS note
  FROM runs r
  LEFT JOIN datasets d ON d.id = r.dataset_id
  LEFT JOIN notes n ON n.run_id = r.id`;

/** A row as SQLite returns it for RUN_SELECT. */
export interface RunRow {
  id: string;
  experiment_id: string;
  name: string;
  status: RunSummary['status'];
  scale: string;
  task: string;
  dataset_id: string | null;
  dataset_name: string | null;
  backend: string | null;
  device: string | null;
  params: number | null;
  step: number;
  total_steps: number | null;
  best_metric_name: string | null;
  best_metric: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  starred: number;
  note: string;
}

/** Maps a row to the API shape. */
export function toRunSummary(row: RunRow, tags: readonly string[]): RunSummary {
  return {
    id: row.id,
    experimentId: row.experiment_id,
    name: row.name,
    status: row.status,
    scale: row.scale,
    task: row.task,
    datasetId: row.dataset_id,
    datasetName: row.dataset_name,
    backend: row.backend,
    device: row.device,
    params: row.params,
    step: row.step,
    totalSteps: row.total_steps,
    bestMetricName: row.best_metric_name,
    bestMetric: row.best_metric,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    starred: row.starred === 1,
    note: row.note,
    tags: [...tags],
  };
}
