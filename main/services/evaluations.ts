import type { CheckpointRecord } from '#db/repos/checkpoints';
import { WorkbenchError } from '#shared/api/errors';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { ServiceContext } from './context';
import { compareEvaluations } from './evaluation-compare';
import { queueEvaluation } from './evaluation-queue';
import type { Handlers } from './handler';
import { weightsCheckpointPath } from './weights';

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
  'evaluations.create': (input, ctx) => {
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
      return queueEvaluation(ctx, {
        weights: { id: w.id, name: w.name, checkpointPath: weightsCheckpointPath(ctx.store, w.id) },
        datasetId: input.datasetId,
        split: input.split,
        mode: 'zeroshot',
        ...(input.decoding ? { decoding: input.decoding } : {}),
        ...(input.pipeline ? { pipeline: input.pipeline } : {}),
        ...(input.limit ? { limit: input.limit } : {}),
      });
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
    return queueEvaluation(ctx, {
      run,
      datasetId: input.datasetId,
      split: input.split,
      ...(checkpoint ? { checkpoint } : {}),
      ...(input.mode ? { mode: input.mode } : {}),
      ...(input.decoding ? { decoding: input.decoding } : {}),
      ...(input.pipeline ? { pipeline: input.pipeline } : {}),
      ...(input.limit ? { limit: input.limit } : {}),
    });
  },
  'evaluations.list': (filter, ctx) =>
    ctx.store.evaluations.list({
      ...(filter.runId ? { runId: filter.runId } : {}),
      ...(filter.experimentId ? { experimentId: filter.experimentId } : {}),
      ...(filter.datasetId ? { datasetId: filter.datasetId } : {}),
      ...(filter.weightsId ? { weightsId: filter.weightsId } : {}),
    }),
  'evaluations.get': ({ id }, ctx) => mustGet(ctx, id),
  'evaluations.cancel': ({ id }, ctx) => {
    const ev = mustGet(ctx, id);
    if (ev.status !== 'queued' && ev.status !== 'running') {
      throw new WorkbenchError(
        'conflict',
        `The evaluation is ${ev.status}: there is nothing to cancel.`,
        'id',
      );
    }
    ctx.scheduler.cancelEvaluation(id);
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
