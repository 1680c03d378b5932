import { WorkbenchError } from '#shared/api/errors';
import type { RunSummary } from '#shared/domain/run';
import type { ServiceContext } from './context';
import { downsample } from './downsample';
import type { Handlers } from './handler';

function mustGet(ctx: ServiceContext, id: string): RunSummary {
  const run = ctx.store.runs.get(id);
  if (!run) throw new WorkbenchError('not_found', `No run with id "${id}"`, 'id');
  return run;
}

function changed(ctx: ServiceContext, run: RunSummary): RunSummary {
  ctx.events.emit('onDidChangeRun', { kind: 'updated', runId: run.id, run });
  return run;
}

/** `runs.*`: the run history. */
export const runHandlers: Handlers<
  'runs.list' | 'runs.get' | 'runs.metrics' | 'runs.setNote' | 'runs.tag' | 'runs.star' | 'runs.tags'
> = {
  'runs.list': (q, ctx) => ctx.store.runs.list(q),
  'runs.get': ({ id }, ctx) => {
    const run = mustGet(ctx, id);
    const config = ctx.store.runs.config(id) ?? {};
    const w =
      typeof config.initWeightsId === 'string' ? ctx.store.weights.get(config.initWeightsId) : undefined;
    return {
      ...run,
      config,
      initWeights: w
        ? { id: w.id, name: w.name, preset: w.architecture.preset, params: w.parameterCount }
        : null,
      logTail: ctx.store.runs.logTail(id),
      checkpoints: ctx.store.checkpoints.list(id).map(
        ({ id, step, path, bytes, createdAt }): RunDetailCheckpoint => ({
          id,
          step,
          path,
          bytes,
          createdAt,
        }),
      ),
    };
  },
  'runs.metrics': ({ id, names, maxPoints }, ctx) => {
    mustGet(ctx, id);
    const series = ctx.store.metrics.series(id, names);
    return maxPoints
      ? series.map((s) => ({ name: s.name, points: downsample(s.points, maxPoints) }))
      : series;
  },
  'runs.setNote': ({ id, note }, ctx) => {
    mustGet(ctx, id);
    ctx.store.runs.setNote(id, note);
    return changed(ctx, mustGet(ctx, id));
  },
  'runs.tag': ({ id, add, remove }, ctx) => {
    mustGet(ctx, id);
    ctx.store.runs.tag(id, add, remove);
    return changed(ctx, mustGet(ctx, id));
  },
  'runs.star': ({ id, starred }, ctx) => {
    mustGet(ctx, id);
    ctx.store.runs.star(id, starred);
    return changed(ctx, mustGet(ctx, id));
  },
  'runs.tags': (_input, ctx) => ctx.store.runs.allTags(),
};

interface RunDetailCheckpoint {
  id: number;
  step: number;
  path: string;
  bytes: number;
  createdAt: string;
}
