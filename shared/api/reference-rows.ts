import { z } from 'zod';
import { EvaluationMode } from '#shared/domain/evaluation';
import { ReferenceRow, ReferenceRowInput } from '#shared/domain/reference-row';
import { ReproduceRequest, Reproduction, ReproductionPlan } from '#shared/domain/reproduction';
import { method } from './define';

/** Filter of `referenceRows.list`; datasets match by name without case or punctuation. */
export const ReferenceRowQuery = z
  .object({
    datasets: z.array(z.string().min(1)).optional(),
    mode: EvaluationMode.optional(),
    origin: z.enum(['published', 'user']).optional(),
  })
  .strict();
export type ReferenceRowQuery = z.input<typeof ReferenceRowQuery>;

/** Reference rows: published figures and the user's own, each with its citation; never runs. */
export const referenceRowMethods = {
  'referenceRows.list': method(
    ReferenceRowQuery,
    z.array(ReferenceRow),
    'Published reference figures (with sources) and the user’s own reference rows',
  ),
  'referenceRows.add': method(ReferenceRowInput, ReferenceRow, 'Add a reference row with its citation'),
  'referenceRows.delete': method(
    z.object({ id: z.string().min(1) }).strict(),
    z.object({ id: z.string() }),
    'Delete one of the user’s reference rows (published ones cannot be deleted)',
  ),
  'referenceRows.plan': method(
    z.object({ rowId: z.string().min(1), datasetId: z.string().min(1).optional() }).strict(),
    ReproductionPlan,
    'What reproducing a reference row would run: its mode and split, its script’s decoding and metric pipeline (for the dataset’s task when given)',
  ),
  'referenceRows.reproduce': method(
    ReproduceRequest,
    Reproduction,
    'Reproduce a reference row: evaluate the given weights on the dataset with the row’s script decoding and metric pipeline (an ordinary evaluation)',
  ),
  'referenceRows.reproduction': method(
    z.object({ evaluationId: z.string().min(1) }).strict(),
    Reproduction,
    'A reproduction’s evaluation beside its reference row, with the 95% CI and the verdict',
  ),
};
