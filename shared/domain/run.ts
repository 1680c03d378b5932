import { z } from 'zod';
import { ClusterRunInfo } from './cluster';

/** Every state a run can be in. `paused` keeps its checkpoint and can be resumed. */
export const RUN_STATUSES = [
  'queued',
  'running',
  'paused',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
] as const;

/** A run's lifecycle state. */
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

/** States from which a run can be resumed from its last checkpoint. */
export const RESUMABLE_STATUSES: ReadonlySet<RunStatus> = new Set([
  'paused',
  'interrupted',
  'failed',
  'cancelled',
]);

/** States after which nothing more will happen to a run unless it is resumed. */
export const FINAL_STATUSES: ReadonlySet<RunStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
]);

/** One run as listed in History and returned by `runs.get`. */
export const RunSummary = z.object({
  id: z.string(),
  experimentId: z.string(),
  name: z.string(),
  status: RunStatus,
  scale: z.string(),
  task: z.string(),
  datasetId: z.string().nullable(),
  datasetName: z.string().nullable(),
  backend: z.string().nullable(),
  device: z.string().nullable(),
  params: z.number().int().nullable(),
  step: z.number().int(),
  totalSteps: z.number().int().nullable(),
  bestMetricName: z.string().nullable(),
  bestMetric: z.number().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  starred: z.boolean(),
  note: z.string(),
  tags: z.array(z.string()),
  /** Where the run runs when a cluster runs it (Slurm job, state, node); absent for local runs. */
  cluster: ClusterRunInfo.nullable().optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** A run with its full configuration and the tail of its log. */
export const RunDetail = RunSummary.extend({
  config: z.record(z.string(), z.unknown()),
  /** The imported weights the run started from, when it did: its architecture is theirs. */
  initWeights: z
    .object({ id: z.string(), name: z.string(), preset: z.string(), params: z.number().int() })
    .nullable()
    .default(null),
  logTail: z.string(),
  checkpoints: z.array(
    z.object({
      id: z.number().int(),
      step: z.number().int(),
      path: z.string(),
      bytes: z.number(),
      createdAt: z.string(),
    }),
  ),
});
export type RunDetail = z.infer<typeof RunDetail>;
