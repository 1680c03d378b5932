import { z } from 'zod';
import { EvaluateJob } from '#main/jobs/protocol';

/**
 * One evaluation task of a bundle (`eval-tasks/<i>.json`): the worker's evaluation job with
 * cluster paths, the evaluation's folder (its events files go under `events/`), and, for an
 * evaluation queued behind its training job, the run folder whose newest complete checkpoint it
 * decodes (the checkpoint does not exist yet when the bundle is written).
 */
export const ClusterEvalTask = EvaluateJob.extend({
  evalDir: z.string(),
  checkpointRunDir: z.string().nullable(),
});
export type ClusterEvalTask = z.infer<typeof ClusterEvalTask>;
