import { z } from 'zod';
import { EvaluationSummary } from '#shared/domain/evaluation';
import { MetricPoint } from '#shared/domain/metric';
import { RunSummary } from '#shared/domain/run';
import { method } from './define';

const RunId = z.object({ id: z.string().min(1) }).strict();

/** Methods that start and stop runs. */
export const runLifecycleMethods = {
  'runs.cancel': method(
    RunId,
    RunSummary,
    'Cancel a run: queued runs are dropped, running ones stop at the next step',
  ),
  'runs.pause': method(RunId, RunSummary, 'Pause a run at its next step boundary, writing a checkpoint'),
  'runs.resume': method(
    RunId,
    RunSummary,
    'Resume a paused, interrupted, failed or cancelled run from its last checkpoint',
  ),
};

/** New metric points and the step of a running run, pushed after each batched write. */
export const RunProgressEvent = z.object({
  runId: z.string(),
  step: z.number().int().nullable(),
  totalSteps: z.number().int().nullable(),
  /** New points by metric name. */
  points: z.record(z.string(), z.array(MetricPoint)),
});
export type RunProgressEvent = z.infer<typeof RunProgressEvent>;

/** Pushed when an evaluation is queued, progresses or ends. */
export const EvaluationChangeEvent = z.object({
  evaluationId: z.string(),
  evaluation: EvaluationSummary,
});
export type EvaluationChangeEvent = z.infer<typeof EvaluationChangeEvent>;
