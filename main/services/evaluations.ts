import type { CheckpointRecord } from '#db/repos/checkpoints';
import { WorkbenchError } from '#shared/api/errors';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { ServiceContext } from './context';
import { compareEvaluations } from './evaluation-compare';
import { type EvaluationTarget, prepareEvaluation, queueEvaluation } from './evaluation-queue';
import type { Handlers } from './handler';
import { weightsCheckpointPath } from './weights';

/** Queues an evaluation here, or as a Slurm job on the named cluster profile. */
async function evaluate(
  ctx: ServiceContext,
  t: EvaluationTarget,
  cluster: string | undefined,
): Promise<EvaluationSummary> {
  if (cluster === undefined) return queueEvaluation(ctx, t);
  const profile = (() => {
    try {
      return ctx.clusters.profile(cluster);
    } catch (err) {
      throw new WorkbenchError('invalid_input', (err as Error).message, 'cluster');
    }
  })();
  const { evaluation, spec } = prepareEvaluation(ctx, t);
  ctx.events.emit('onDidChangeEvaluation', { evaluationId: evaluation.id, evaluation });
  try {
    await ctx.clusters.submit(
      profile,
      { id: `eval-${evaluation.id}`, name: `eval-${evaluation.id.slice(0, 8)}` },
      [],
      [{ evaluationId: evaluation.id, spec, afterRunId: null }],
    );
  } catch (err) {
    throw new WorkbenchError('unavailable', (err as Error).message, 'cluster');
  }
  return mustGet(ctx, evaluation.id);
}

function mustGet(ctx: ServiceContext, id: string): EvaluationSummary {
  const ev = ctx.store.evaluations.get(id);
  if (!ev) throw new WorkbenchError('not_found', `No evaluation with id "${id}"`, 'id');
  return ev;
}

/** `evaluations.*`: evaluate checkpoints, read predictions, compare with CIs and paired tests. */
export const evaluationHandlers: Handlers<
  | 'evaluations.create'
  | 'evaluations.list'
  | 'evaluations.get'
  | 'evaluations.cancel'
  | 'evaluations.resume'
  | 'evaluations.predictions'
  | 'evaluations.compare'
> = {
  'evaluations.create': async (input, ctx) => {
    if (input.weightsId !== undefined) {
      const w = ctx.store.weights.get(input.weightsId);
      if (!w)
        throw new WorkbenchError(
          'invalid_input',
          `No imported weights with id "${input.weightsId}"`,
          'weightsId',
        );
      if (input.mode === 'finetuned')
        throw new WorkbenchError(
          'invalid_input',
          'Imported weights were not tuned here: evaluate them zero-shot',
          'mode',
        );
      return evaluate(
        ctx,
        {
          weights: { id: w.id, name: w.name, checkpointPath: weightsCheckpointPath(ctx.store, w.id) },
          datasetId: input.datasetId,
          split: input.split,
          mode: 'zeroshot',
          ...(input.decoding ? { decoding: input.decoding } : {}),
          ...(input.pipeline ? { pipeline: input.pipeline } : {}),
          ...(input.limit ? { limit: input.limit } : {}),
        },
        input.cluster,
      );
    }
    const run = ctx.store.runs.get(input.runId ?? '');
    if (!run) throw new WorkbenchError('invalid_input', `No run with id "${input.runId}"`, 'runId');
    let checkpoint: CheckpointRecord | undefined;
    if (input.checkpointId !== undefined) {
      checkpoint = ctx.store.checkpoints.get(input.checkpointId);
      if (!checkpoint || checkpoint.runId !== run.id) {
        throw new WorkbenchError(
          'invalid_input',
          `Run "${run.name}" has no checkpoint ${input.checkpointId}`,
          'checkpointId',
        );
      }
    }
    return evaluate(
      ctx,
      {
        run,
        datasetId: input.datasetId,
        split: input.split,
        ...(checkpoint ? { checkpoint } : {}),
        ...(input.mode ? { mode: input.mode } : {}),
        ...(input.decoding ? { decoding: input.decoding } : {}),
        ...(input.pipeline ? { pipeline: input.pipeline } : {}),
        ...(input.limit ? { limit: input.limit } : {}),
      },
      input.cluster,
    );
  },
  'evaluations.list': (filter, ctx) =>
    ctx.store.evaluations.list({
      ...(filter.runId ? { runId: filter.runId } : {}),
      ...(filter.experimentId ? { experimentId: filter.experimentId } : {}),
      ...(filter.datasetId ? { datasetId: filter.datasetId } : {}),
      ...(filter.weightsId ? { weightsId: filter.weightsId } : {}),
    }),
  'evaluations.get': ({ id }, ctx) => mustGet(ctx, id),
  'evaluations.cancel': async ({ id }, ctx) => {
    const ev = mustGet(ctx, id);
    if (ev.status !== 'queued' && ev.status !== 'running') {
      throw new WorkbenchError(
        'conflict',
        `The evaluation is ${ev.status}: there is nothing to cancel.`,
        'id',
      );
    }
    if (ctx.clusters.ownsEvaluation(id)) await ctx.clusters.cancelEvaluation(id);
    else ctx.scheduler.cancelEvaluation(id);
    return mustGet(ctx, id);
  },
  'evaluations.resume': ({ id }, ctx) => {
    const ev = mustGet(ctx, id);
    if (!['interrupted', 'failed', 'cancelled'].includes(ev.status)) {
      throw new WorkbenchError(
        'conflict',
        `The evaluation is ${ev.status}; only interrupted, failed or cancelled ones resume.`,
        'id',
      );
    }
    ctx.scheduler.resumeEvaluation(id);
    return mustGet(ctx, id);
  },
  'evaluations.predictions': ({ id, offset, limit, onlyWrong, correct, answerType }, ctx) => {
    mustGet(ctx, id);
    return ctx.store.predictions.page(id, {
      offset,
      limit,
      onlyWrong,
      correct,
      ...(answerType ? { answerType } : {}),
    });
  },
  'evaluations.compare': ({ ids }, ctx) => compareEvaluations(ctx, ids),
};
