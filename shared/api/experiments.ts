import { z } from 'zod';
import { EvaluationSummary } from '#shared/domain/evaluation';
import { ExperimentRequest, ExperimentSummary, ResourceEstimate } from '#shared/domain/experiment';
import { ResolvedHyperparameters } from '#shared/domain/hyperparameters';
import { RunSummary } from '#shared/domain/run';
import { method } from './define';

/** One planned run of an experiment (a sweep has several). */
export const PlannedRun = z.object({
  name: z.string(),
  scale: z.string(),
  datasetIds: z.array(z.string()),
  hyperparameters: ResolvedHyperparameters,
  estimate: ResourceEstimate,
});
export type PlannedRun = z.infer<typeof PlannedRun>;

/** What `experiments.create` did (or would do, in a dry run). */
export const ExperimentCreated = z.object({
  experiment: ExperimentSummary.nullable(),
  plan: z.array(PlannedRun),
  runs: z.array(RunSummary),
});
export type ExperimentCreated = z.infer<typeof ExperimentCreated>;

/** An experiment with its runs and evaluations. */
export const ExperimentDetail = ExperimentSummary.extend({
  runs: z.array(RunSummary),
  evaluations: z.array(EvaluationSummary),
});
export type ExperimentDetail = z.infer<typeof ExperimentDetail>;

/** Methods over experiments. */
export const experimentMethods = {
  'experiments.create': method(
    ExperimentRequest,
    ExperimentCreated,
    'Validate a configuration, estimate memory and time, and queue its run(s)',
  ),
  'experiments.estimate': method(
    ExperimentRequest,
    z.array(PlannedRun),
    'The runs an experiment would make, with memory and time estimates; queues nothing',
  ),
  'experiments.get': method(
    z.object({ id: z.string().min(1) }).strict(),
    ExperimentDetail,
    'One experiment with its runs and evaluations',
  ),
  'experiments.list': method(
    z.object({}).strict(),
    z.array(ExperimentSummary),
    'Every experiment, newest first',
  ),
};
