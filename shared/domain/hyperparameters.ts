import { z } from 'zod';

/**
 * Every training hyperparameter, once: its type and the range a person may ask for. The overrides
 * of `experiments.create`, the resolved values of a run, the worker's start message and the task
 * defaults (shared/task-hyperparameters.ts) are all derived from this one schema.
 */
export const Hyperparameters = z.object({
  lr: z.number().positive().max(1),
  epochs: z.number().positive().max(10_000),
  steps: z.number().int().min(1).max(10_000_000),
  batchSize: z.number().int().min(1).max(4096),
  warmupRatio: z.number().min(0).max(1),
  labelSmoothing: z.number().min(0).max(0.9),
  weightDecay: z.number().min(0).max(1),
  gradClip: z.number().min(0),
  maxSrcLength: z.number().int().min(4).max(1024),
  maxTgtLength: z.number().int().min(2).max(1024),
  imageSize: z.number().int().min(16).max(1024),
  seed: z.number().int().min(0),
  /** Dropout and stochastic depth (spec: 0.1 each); the service turns them off for CPU rungs. */
  dropout: z.number().min(0).max(1),
  dropPath: z.number().min(0).max(1),
  /** Write a checkpoint every this many steps (and always at the end, and on pause). */
  checkpointEvery: z.number().int().min(1),
});
export type Hyperparameters = z.infer<typeof Hyperparameters>;

/**
 * What an experiment may set; every field is optional and falls back to the task's defaults
 * (spec §2.2, shared/task-hyperparameters.ts). `steps` wins over `epochs`.
 */
export const HyperparameterOverrides = Hyperparameters.partial().strict();
export type HyperparameterOverrides = z.infer<typeof HyperparameterOverrides>;

/**
 * The resolved hyperparameters of one run: every field. `epochs` is derived from `steps` when
 * those were given, so it is not held to what a person may ask for.
 */
export const ResolvedHyperparameters = Hyperparameters.extend({ epochs: z.number() });
export type ResolvedHyperparameters = z.infer<typeof ResolvedHyperparameters>;

/**
 * What a training worker runs with (defaults already applied by the service; dropout and drop
 * path default to the spec's 0.1 for jobs queued before they were recorded).
 */
export const TrainHyperparameters = ResolvedHyperparameters.omit({ epochs: true }).extend({
  dropout: Hyperparameters.shape.dropout.default(0.1),
  dropPath: Hyperparameters.shape.dropPath.default(0.1),
});
export type TrainHyperparameters = z.infer<typeof TrainHyperparameters>;

/** The fine-tuning numbers a task fixes (spec §2.2 table); the rest come per run. */
export type TaskHyperparameterFields = Pick<
  Hyperparameters,
  | 'lr'
  | 'epochs'
  | 'warmupRatio'
  | 'labelSmoothing'
  | 'maxSrcLength'
  | 'maxTgtLength'
  | 'weightDecay'
  | 'gradClip'
>;
