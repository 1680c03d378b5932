import { z } from 'zod';
import { EvaluationSummary } from '#shared/domain/evaluation';
import { RunSummary } from '#shared/domain/run';
import { method } from './define';

/** Where imported weights are used (the Weights page). */
export const WeightsUsage = z.object({
  id: z.string(),
  /** Runs that started from them (fine-tunes, instruction tuning). */
  runs: z.array(RunSummary),
  /** Evaluations decoded directly with them (zero-shot, no run). */
  evaluations: z.array(EvaluationSummary),
});
export type WeightsUsage = z.infer<typeof WeightsUsage>;

/** Methods about how imported weights are used. */
export const weightsUsageMethods = {
  'weights.usage': method(
    z.object({ id: z.string().min(1) }).strict(),
    WeightsUsage,
    'Runs started from imported weights and evaluations decoded with them',
  ),
};
