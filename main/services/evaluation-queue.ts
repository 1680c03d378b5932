import { join } from 'node:path';
import type { CheckpointRecord } from '#db/repos/checkpoints';
import { WorkbenchError } from '#shared/api/errors';
import type { Decoding, EvaluationMode, EvaluationSummary } from '#shared/domain/evaluation';
import type { RunSummary } from '#shared/domain/run';
import { taskOf } from '#shared/tasks';
import type { ServiceContext } from './context';

/** Datasets a run trained on (its mixture), from its stored config. */
export function trainedOn(ctx: ServiceContext, runId: string): string[] {
  const config = ctx.store.runs.config(runId) ?? {};
  const mixture = (config['mixture'] as { datasetId: string }[] | undefined) ?? [];
  return mixture.map((m) => m.datasetId);
}

/**
 * The task's decoding (spec §2.2): trie-constrained where the task has a closed answer set, beam
 * where the scripts use one; zero-shot evaluation is unconstrained by default (spec §2.3).
 */
export function defaultDecoding(task: string, mode: EvaluationMode): Decoding {
  const d = taskOf(task).decoding;
  const free = d.beam > 1 ? 'beam' : 'greedy';
  return {
    strategy: mode === 'finetuned' && d.constrained ? 'trie' : free,
    beam: d.beam,
    maxLength: d.maxLenB,
    noRepeatNgram: d.noRepeatNgram,
    lenpen: d.lenpen,
  };
}

/** What to evaluate. */
export interface EvaluationTarget {
  readonly run: RunSummary;
  readonly checkpoint?: CheckpointRecord;
  readonly datasetId: string;
  readonly split: 'train' | 'validation' | 'test';
  readonly mode?: EvaluationMode;
  readonly decoding?: Decoding;
  readonly limit?: number;
}

/** Creates an evaluation row and queues its job on the scheduler. */
export function queueEvaluation(ctx: ServiceContext, t: EvaluationTarget): EvaluationSummary {
  const checkpoint = t.checkpoint ?? ctx.store.checkpoints.latest(t.run.id);
  if (!checkpoint) {
    throw new WorkbenchError(
      'conflict',
      `Run "${t.run.name}" has no checkpoint yet: evaluate it once it has written one.`,
      'runId',
    );
  }
  const dataset = ctx.store.datasets.get(t.datasetId);
  if (!dataset) throw new WorkbenchError('invalid_input', `No dataset with id "${t.datasetId}"`, 'datasetId');
  const count = ctx.store.examples.count(t.datasetId, t.split);
  if (count === 0)
    throw new WorkbenchError('invalid_input', `The dataset has no ${t.split} examples`, 'split');
  const mode = t.mode ?? (trainedOn(ctx, t.run.id).includes(t.datasetId) ? 'finetuned' : 'zeroshot');
  const decoding = t.decoding ?? defaultDecoding(dataset.task, mode);
  const evaluation = ctx.store.evaluations.insert({
    runId: t.run.id,
    experimentId: t.run.experimentId,
    checkpointId: checkpoint.id,
    checkpointPath: checkpoint.path,
    datasetId: t.datasetId,
    split: t.split,
    mode,
    decoding,
  });
  const runConfig = ctx.store.runs.config(t.run.id) ?? {};
  const backend = runConfig['backend'];
  ctx.scheduler.enqueueEvaluation({
    type: 'evaluate',
    evaluationId: evaluation.id,
    dbFile: ctx.home.databaseFile,
    blobsDir: ctx.home.blobs,
    checkpointPath: checkpoint.path,
    datasetId: t.datasetId,
    split: t.split,
    decoding,
    batchSize: decoding.strategy === 'beam' || decoding.strategy === 'allcand' ? 8 : 32,
    skipExampleIds: [],
    limit: t.limit ?? null,
    instructionForm: runConfig['kind'] === 'instruction',
    backend: typeof backend === 'string' ? backend : null,
  });
  ctx.events.emit('onDidChangeEvaluation', { evaluationId: evaluation.id, evaluation });
  return evaluation;
}

/** Folder of an evaluation's log when it has no run (never the case today; kept for imports). */
export function evaluationDir(ctx: ServiceContext, id: string): string {
  return join(ctx.home.runs, `eval-${id}`);
}
