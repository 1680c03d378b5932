import { SchedulerError } from '#main/jobs/scheduler';
import { WorkbenchError } from '#shared/api/errors';
import type { RunSummary } from '#shared/domain/run';
import type { ServiceContext } from './context';
import type { Handlers } from './handler';

/** Runs a scheduler request, turning its refusals into API errors that name the run id. */
function lifecycle(ctx: ServiceContext, f: () => RunSummary): RunSummary {
  const owner = ctx.scheduler.otherOwner();
  if (!ctx.scheduler.isActive && owner !== null) {
    throw new WorkbenchError(
      'unavailable',
      `Jobs of this data folder are run by another process (pid ${owner}); do this there.`,
      'id',
    );
  }
  try {
    return f();
  } catch (err) {
    if (err instanceof SchedulerError) throw new WorkbenchError(err.code, err.message, 'id');
    throw err;
  }
}

/** `runs.cancel|pause|resume`: the run lifecycle. */
export const runLifecycleHandlers: Handlers<'runs.cancel' | 'runs.pause' | 'runs.resume'> = {
  'runs.cancel': ({ id }, ctx) => lifecycle(ctx, () => ctx.scheduler.cancel(id)),
  'runs.pause': ({ id }, ctx) => lifecycle(ctx, () => ctx.scheduler.pause(id)),
  'runs.resume': ({ id }, ctx) => lifecycle(ctx, () => ctx.scheduler.resume(id)),
};
