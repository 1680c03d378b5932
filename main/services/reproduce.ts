import { WorkbenchError } from '#shared/api/errors';
import type { Split } from '#shared/domain/dataset';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { ReferenceRow } from '#shared/domain/reference-row';
import type { Reproduction, ReproductionPlan } from '#shared/domain/reproduction';
import { evaluationPipeline } from '#shared/evaluation-pipelines';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import { reproductionVerdict } from '#shared/reproduce';
import type { ServiceContext } from './context';
import { defaultDecoding, queueEvaluation } from './evaluation-queue';
import type { Handlers } from './handler';
import { weightsCheckpointPath } from './weights';

function rowOf(ctx: ServiceContext, id: string): ReferenceRow {
  const row = [...PUBLISHED_REFERENCE_ROWS, ...ctx.store.referenceRows.list()].find((r) => r.id === id);
  if (!row) throw new WorkbenchError('not_found', `No reference row with id "${id}"`, 'rowId');
  return row;
}

/** The row's script settings: its mode and split, the task's released decoding and metric pipeline. */
export function reproductionPlan(row: ReferenceRow, task: string, split?: Split): ReproductionPlan {
  return {
    task,
    mode: row.mode,
    split: split ?? row.split,
    metric: row.metric,
    decoding: defaultDecoding(task, row.mode),
    pipeline: { ...evaluationPipeline(task, 'released'), reproduces: row.id },
  };
}

function reproduction(
  row: ReferenceRow,
  evaluation: EvaluationSummary,
  plan: ReproductionPlan,
): Reproduction {
  return { row, plan, evaluation, result: reproductionVerdict(row, evaluation.metrics[row.metric]) };
}

/** `referenceRows.reproduce` / `.reproduction`: a reference row re-measured as an ordinary evaluation. */
export const reproduceHandlers: Handlers<
  'referenceRows.plan' | 'referenceRows.reproduce' | 'referenceRows.reproduction'
> = {
  'referenceRows.plan': ({ rowId, datasetId }, ctx) => {
    const row = rowOf(ctx, rowId);
    const dataset = datasetId ? ctx.store.datasets.get(datasetId) : undefined;
    if (datasetId && !dataset)
      throw new WorkbenchError('invalid_input', `No dataset with id "${datasetId}"`, 'datasetId');
    return reproductionPlan(row, dataset?.task ?? row.task ?? 'vqa');
  },
  'referenceRows.reproduce': (input, ctx) => {
    const row = rowOf(ctx, input.rowId);
    const w = ctx.store.weights.get(input.weightsId);
    if (!w)
      throw new WorkbenchError(
        'invalid_input',
        `No imported weights with id "${input.weightsId}"`,
        'weightsId',
      );
    const dataset = ctx.store.datasets.get(input.datasetId);
    if (!dataset)
      throw new WorkbenchError('invalid_input', `No dataset with id "${input.datasetId}"`, 'datasetId');
    if (row.task && row.task !== dataset.task)
      throw new WorkbenchError(
        'invalid_input',
        `The row is a ${row.task} figure (${row.dataset}); dataset "${dataset.name}" is ${dataset.task}`,
        'datasetId',
      );
    const plan = reproductionPlan(row, dataset.task, input.split);
    const running = ctx.store.evaluations
      .list({ weightsId: w.id, datasetId: dataset.id })
      .find((e) => e.pipeline?.reproduces === row.id && (e.status === 'queued' || e.status === 'running'));
    if (running)
      throw new WorkbenchError(
        'invalid_input',
        `This row is already being reproduced with "${w.name}" on "${dataset.name}" (evaluation ${running.id.slice(0, 8)}, ${running.status}): wait for it or cancel it`,
        'rowId',
      );
    const evaluation = queueEvaluation(ctx, {
      weights: { id: w.id, name: w.name, checkpointPath: weightsCheckpointPath(ctx.store, w.id) },
      datasetId: dataset.id,
      split: plan.split,
      mode: plan.mode,
      decoding: plan.decoding,
      pipeline: 'released',
      reproduces: row.id,
      ...(input.limit ? { limit: input.limit } : {}),
    });
    return reproduction(row, evaluation, plan);
  },
  'referenceRows.reproduction': ({ evaluationId }, ctx) => {
    const evaluation = ctx.store.evaluations.get(evaluationId);
    if (!evaluation)
      throw new WorkbenchError('not_found', `No evaluation with id "${evaluationId}"`, 'evaluationId');
    const rowId = evaluation.pipeline?.reproduces;
    if (!rowId)
      throw new WorkbenchError(
        'invalid_input',
        'This evaluation does not reproduce a reference row',
        'evaluationId',
      );
    const row = rowOf(ctx, rowId);
    const task = ctx.store.datasets.get(evaluation.datasetId)?.task ?? row.task ?? 'vqa';
    return reproduction(row, evaluation, {
      ...reproductionPlan(row, task, evaluation.split),
      decoding: evaluation.decoding,
    });
  },
};
