import { z } from 'zod';
import { Split } from './dataset';
import { Decoding, EvaluationMode, EvaluationPipeline, EvaluationSummary, MetricWithCi } from './evaluation';
import { ReferenceRow } from './reference-row';

/** A reproduction's outcome beside the cited figure (shared/reproduce.ts computes it). */
export const ReproductionVerdict = z.object({
  verdict: z.enum(['inside', 'outside', 'pending']),
  /** The published figure, with the 95% CI of its count when it is a share of `n` examples. */
  published: z.object({
    value: z.number(),
    n: z.number().int().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
  }),
  measured: MetricWithCi.nullable(),
  /** One sentence saying what was compared. */
  basis: z.string(),
});
export type ReproductionVerdict = z.infer<typeof ReproductionVerdict>;

/** What reproducing a row needs: its weights and data, and its script's decoding and metric pipeline. */
export const ReproductionPlan = z.object({
  task: z.string(),
  mode: EvaluationMode,
  split: Split,
  metric: z.string(),
  decoding: Decoding,
  pipeline: EvaluationPipeline,
});
export type ReproductionPlan = z.infer<typeof ReproductionPlan>;

/** A reference row reproduced: the row, the (ordinary) evaluation that reproduces it, the verdict. */
export const Reproduction = z.object({
  row: ReferenceRow,
  plan: ReproductionPlan,
  evaluation: EvaluationSummary,
  result: ReproductionVerdict,
});
export type Reproduction = z.infer<typeof Reproduction>;

/** Input of `referenceRows.reproduce`. */
export const ReproduceRequest = z
  .object({
    rowId: z.string().min(1),
    /** Imported weights of the row's model (`weights.list`). */
    weightsId: z.string().min(1),
    /** An imported dataset of the row's dataset and task. */
    datasetId: z.string().min(1),
    /** Default: the row's split. */
    split: Split.optional(),
    /** Evaluate only the first N examples (a quick check; the verdict then says so through n). */
    limit: z.number().int().min(1).optional(),
  })
  .strict();
export type ReproduceRequest = z.input<typeof ReproduceRequest>;
