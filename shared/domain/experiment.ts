import { z } from 'zod';
import { PRESET_NAMES } from '#shared/model/presets';
import { TaskId } from '#shared/tasks';
import { Decoding } from './evaluation';
import { HyperparameterOverrides } from './hyperparameters';

/** A scale preset name (paper scales and CPU rungs). */
export const ScaleName = z.enum(PRESET_NAMES);

/** One dataset of a training mixture, with its sampling weight. */
export const MixtureItem = z
  .object({
    datasetId: z.string().min(1),
    weight: z.number().positive().default(1),
  })
  .strict();

/** Evaluations run on each finished run of the experiment. */
export const EvaluationPlan = z
  .object({
    /** Split of the training dataset(s) evaluated after fine-tuning; null = none. */
    split: z.enum(['train', 'validation', 'test']).nullable().default('test'),
    /** Held-out datasets evaluated zero-shot (unconstrained by default). */
    zeroShot: z
      .array(
        z.object({
          datasetId: z.string().min(1),
          split: z.enum(['train', 'validation', 'test']).default('test'),
        }),
      )
      .default([]),
    decoding: Decoding.optional(),
    /** Evaluate only the first N examples of each split. */
    limit: z.number().int().min(1).optional(),
  })
  .strict();
export type EvaluationPlan = z.output<typeof EvaluationPlan>;

/** Grid of a sweep; each axis given replaces the base value, runs are the cartesian product. */
export const SweepGrid = z
  .object({
    scales: z.array(ScaleName).min(1).optional(),
    datasets: z.array(z.string().min(1)).min(1).optional(),
    lrs: z.array(z.number().positive().max(1)).min(1).optional(),
    seeds: z.array(z.number().int().min(0)).min(1).optional(),
  })
  .strict();

/** Everything `experiments.create` needs. */
export const ExperimentRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** `finetune` one dataset on one task; `instruction`: a mixture in instruction form. */
    kind: z.enum(['finetune', 'instruction']).default('finetune'),
    task: TaskId,
    /** One dataset (fine-tuning) or several with sampling weights (instruction tuning). */
    datasets: z.array(MixtureItem).min(1),
    scale: ScaleName,
    /**
     * Initial weights: random, a previous run's latest (or given) checkpoint, or imported
     * published weights (`weights.list`; the scale must be theirs, a custom shape trains as it is).
     */
    init: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('none') }),
        z.object({
          type: z.literal('run'),
          runId: z.string().min(1),
          checkpointId: z.number().int().optional(),
        }),
        z.object({ type: z.literal('weights'), weightsId: z.string().min(1) }),
      ])
      .default({ type: 'none' }),
    hyperparameters: HyperparameterOverrides.default({}),
    sweep: SweepGrid.optional(),
    evaluate: EvaluationPlan.default(EvaluationPlan.parse({})),
    /** Preferred compute backend (cpu, wasm, tensorflow, node-gpu); default: the best available. */
    backend: z.string().optional(),
    /** Submit to this cluster profile (a sweep becomes one Slurm job array); default: this machine. */
    cluster: z.string().min(1).optional(),
    /** Validate and estimate only; queue nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export type ExperimentRequest = z.input<typeof ExperimentRequest>;

/** Memory and time a run is expected to need on this machine. */
export const ResourceEstimate = z.object({
  scale: z.string(),
  params: z.number().int(),
  memoryBytes: z.number(),
  deviceMemoryBytes: z.number(),
  fits: z.boolean(),
  backend: z.string(),
  steps: z.number().int(),
  secondsPerStep: z.number(),
  totalSeconds: z.number(),
  /** When it does not fit: why (WebAssembly's 4 GiB, this machine's memory) and what would fit. */
  advice: z.string().nullable().default(null),
});
export type ResourceEstimate = z.infer<typeof ResourceEstimate>;

/** An experiment as returned by the API. */
export const ExperimentSummary = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  config: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;
