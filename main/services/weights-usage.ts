import { WorkbenchError } from '#shared/api/errors';
import type { RunSummary } from '#shared/domain/run';
import type { Handlers } from './handler';

/** `weights.usage`: the runs started from imported weights and the evaluations decoded with them. */
export const weightsUsageHandlers: Handlers<'weights.usage'> = {
  'weights.usage': ({ id }, ctx) => {
    if (!ctx.store.weights.get(id))
      throw new WorkbenchError('not_found', `No imported weights with id "${id}"`, 'id');
    const runs = ctx.store.weightsUsage
      .runIds(id)
      .map((r) => ctx.store.runs.get(r))
      .filter((r): r is RunSummary => r !== undefined);
    return { id, runs, evaluations: ctx.store.evaluations.list({ weightsId: id }) };
  },
};
