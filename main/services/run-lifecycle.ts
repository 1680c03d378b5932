import { SlurmError } from '#main/jobs/cluster/slurm';
import { SchedulerError } from '#main/jobs/scheduler';
import { WorkbenchError } from '#shared/api/errors';
import type { RunSummary } from '#shared/domain/run';
import type { Handlers } from './handler';

/** Runs a scheduler request, turning its refusals into API errors that name the run id. */
async function lifecycle(f: () => RunSummary | Promise<RunSummary>): Promise<RunSummary> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof SchedulerError) throw new WorkbenchError(err.code, err.message, 'id');
    if (err instanceof SlurmError) throw new WorkbenchError('unavailable', err.message, 'id');
    throw err;
  }
}

/**
 * `runs.cancel|pause|resume`: the run lifecycle. Works from any process: a job another process
 * runs gets a stop request it picks up, a resumed run is queued for whichever process runs jobs.
 */
export const runLifecycleHandlers: Handlers<'runs.cancel' | 'runs.pause' | 'runs.resume'> = {
  // A cluster's run maps to Slurm: cancel is scancel, pause a SIGTERM, resume a resubmission.
  'runs.cancel': ({ id }, ctx) =>
    lifecycle(() => (ctx.clusters.owns(id) ? ctx.clusters.cancel(id) : ctx.scheduler.cancel(id))),
  'runs.pause': ({ id }, ctx) =>
    lifecycle(() => (ctx.clusters.owns(id) ? ctx.clusters.pause(id) : ctx.scheduler.pause(id))),
  'runs.resume': ({ id }, ctx) =>
    lifecycle(() => (ctx.clusters.owns(id) ? ctx.clusters.resubmit(id) : ctx.scheduler.resume(id))),
};
