import { z } from 'zod';
import { Split } from '#shared/domain/dataset';
import {
  Decoding,
  EvaluationMode,
  EvaluationSummary,
  MetricWithCi,
  PipelinePreset,
  PredictionView,
} from '#shared/domain/evaluation';
import { method } from './define';

/**
 * Input of `evaluations.create`: a checkpoint (a run's latest, or a given one), or imported
 * weights directly (`weightsId`, zero-shot without a run), on a dataset split.
 */
export const EvaluationRequest = z
  .object({
    runId: z.string().min(1).optional(),
    /** Imported weights (`weights.list`) instead of a run. */
    weightsId: z.string().min(1).optional(),
    checkpointId: z.number().int().optional(),
    datasetId: z.string().min(1),
    split: Split.default('test'),
    /** Default: `zeroshot` when the run never trained on this dataset, else `finetuned`. */
    mode: EvaluationMode.optional(),
    /** Default: the task's decoding (trie-constrained where it has candidates); zero-shot: unconstrained. */
    decoding: Decoding.optional(),
    /** Default `released`: the figures of the task's released script; `raw`: raw-text figures. */
    pipeline: PipelinePreset.optional(),
    limit: z.number().int().min(1).optional(),
    /** Decode it as a Slurm job on this cluster profile (the checkpoint stays on the cluster). */
    cluster: z.string().min(1).optional(),
  })
  .strict()
  .refine((r) => (r.runId === undefined) !== (r.weightsId === undefined), {
    message: 'give either runId (a run) or weightsId (imported weights), not both',
    path: ['runId'],
  });
export type EvaluationRequest = z.input<typeof EvaluationRequest>;

/** A paired bootstrap test of one metric between two evaluations on the same examples. */
export const PairedTest = z.object({
  metric: z.string(),
  /** A minus B on the full data. */
  delta: z.number().nullable(),
  deltaLow: z.number().nullable(),
  deltaHigh: z.number().nullable(),
  /** Share of resamples where A does not beat B: the p-value for "A is better than B". */
  pValue: z.number().nullable(),
});
export type PairedTest = z.infer<typeof PairedTest>;

/** Side-by-side metrics of evaluations, and the paired test when exactly two share a split. */
export const Comparison = z.object({
  evaluations: z.array(
    z.object({
      id: z.string(),
      runId: z.string().nullable(),
      runName: z.string().nullable(),
      scale: z.string().nullable(),
      params: z.number().int().nullable(),
      datasetName: z.string().nullable(),
      split: Split,
      mode: EvaluationMode,
      metrics: z.record(z.string(), MetricWithCi),
    }),
  ),
  /** Examples both evaluations predicted (the paired test uses only these). */
  pairedExamples: z.number().int(),
  paired: z.array(PairedTest),
});
export type Comparison = z.infer<typeof Comparison>;

const EvaluationId = z.object({ id: z.string().min(1) }).strict();

/** Methods over evaluations, predictions and comparisons. */
export const evaluationMethods = {
  'evaluations.create': method(
    EvaluationRequest,
    EvaluationSummary,
    'Queue an evaluation of a checkpoint on a dataset split',
  ),
  'evaluations.list': method(
    z
      .object({
        runId: z.string().optional(),
        experimentId: z.string().optional(),
        datasetId: z.string().optional(),
        weightsId: z.string().optional(),
      })
      .strict(),
    z.array(EvaluationSummary),
    'Evaluations, optionally of one run, experiment, dataset or imported weights',
  ),
  'evaluations.get': method(EvaluationId, EvaluationSummary, 'One evaluation with its metrics and CIs'),
  'evaluations.cancel': method(EvaluationId, EvaluationSummary, 'Cancel a queued or running evaluation'),
  'evaluations.resume': method(
    EvaluationId,
    EvaluationSummary,
    'Resume an interrupted, failed or cancelled evaluation; stored predictions are kept and skipped',
  ),
  'evaluations.predictions': method(
    z
      .object({
        id: z.string().min(1),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(100),
        onlyWrong: z.boolean().default(false),
        /** Only correct or only wrong answers (`onlyWrong` is the older spelling of `wrong`). */
        correct: z.enum(['all', 'correct', 'wrong']).default('all'),
        /** Only examples of this answer type (VQA's CLOSED / OPEN, ...). */
        answerType: z.string().min(1).optional(),
      })
      .strict(),
    z.object({
      total: z.number().int(),
      predictions: z.array(PredictionView),
      /** Every answer type among the evaluation's examples, for a filter. */
      answerTypes: z.array(z.string()),
    }),
    'A page of predictions beside references and inputs, filtered by correctness and answer type',
  ),
  'evaluations.compare': method(
    z.object({ ids: z.array(z.string().min(1)).min(1).max(50) }).strict(),
    Comparison,
    'Metrics with CIs side by side; a paired bootstrap test when two evaluations share a split',
  ),
};
