import type { ClusterRunInfo } from '#shared/domain/cluster';
import type { RunSummary } from '#shared/domain/run';

/** The newest Slurm job's columns, from a join named `cj` (runs' and evaluations' rows). */
export const CLUSTER_COLUMNS = `cj.cluster AS cj_cluster, cj.job_id AS cj_job_id, cj.attempt AS cj_attempt, cj.state AS cj_state,
         cj.reason AS cj_reason, cj.node AS cj_node, cj.elapsed_s AS cj_elapsed_s, cj.exit_code AS cj_exit_code,
         cj.max_rss AS cj_max_rss, cj.submitted_at AS cj_submitted_at`;

/** What {@link CLUSTER_COLUMNS} selects. */
export interface ClusterColumns {
  cj_cluster: string | null;
  cj_job_id: string | null;
  cj_attempt: number | null;
  cj_state: string | null;
  cj_reason: string | null;
  cj_node: string | null;
  cj_elapsed_s: number | null;
  cj_exit_code: string | null;
  cj_max_rss: number | null;
  cj_submitted_at: string | null;
}

/** The columns `runs.list` and `runs.get` select, joined with dataset name and note. */
export const RUN_SELECT = `
  SELECT r.id, r.experiment_id, r.name, r.status, r.scale, r.task, r.dataset_id, d.name AS dataset_name,
         r.backend, r.device, r.params, r.step, r.total_steps, r.best_metric_name, r.best_metric,
         r.created_at, r.started_at, r.finished_at, r.error, r.starred, COALESCE(n.body, '') AS note,
         ${CLUSTER_COLUMNS}
  FROM runs r
  LEFT JOIN datasets d ON d.id = r.dataset_id
  LEFT JOIN notes n ON n.run_id = r.id
  LEFT JOIN cluster_jobs cj ON cj.id = (SELECT MAX(id) FROM cluster_jobs WHERE run_id = r.id)`;

/** A row as SQLite returns it for RUN_SELECT. */
export interface RunRow extends ClusterColumns {
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

/** A row's newest Slurm job as the API shows it (null: not a cluster's). */
export function clusterOf(row: ClusterColumns): ClusterRunInfo | null {
  if (row.cj_cluster === null) return null;
  return {
    cluster: row.cj_cluster,
    jobId: row.cj_job_id ?? '',
    attempt: row.cj_attempt ?? 1,
    state: row.cj_state ?? 'PENDING',
    reason: row.cj_reason,
    node: row.cj_node,
    elapsedSeconds: row.cj_elapsed_s,
    exitCode: row.cj_exit_code,
    maxRssBytes: row.cj_max_rss,
    submittedAt: row.cj_submitted_at ?? '',
  };
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
    cluster: clusterOf(row),
  };
}
