import { join } from 'node:path';
import type { CheckpointRecord } from '#db/repos/checkpoints';
import type { EvaluateJob } from '#main/jobs/protocol';
import { WorkbenchError } from '#shared/api/errors';
import type { Decoding, EvaluationMode, EvaluationSummary, PipelinePreset } from '#shared/domain/evaluation';
import type { RunSummary } from '#shared/domain/run';
import { evaluationPipeline } from '#shared/evaluation-pipelines';
import { taskOf } from '#shared/tasks';
import type { ServiceContext } from './context';

/** Datasets a run trained on (its mixture), from its stored config. */
export function trainedOn(ctx: ServiceContext, runId: string): string[] {
  const config = ctx.store.runs.config(runId) ?? {};
  const mixture = (config['mixture'] as { datasetId: string }[] | undefined) ?? [];
  return mixture.map((m) => m.datasetId);
}

/** fairseq's `--beam` default, which BiomedGPT's zero-shot script falls back to (spec §2.3). */
export const ZERO_SHOT_BEAM = 5;

/**
 * The released code's decoding (spec §2.2, §2.3). Fine-tuned: the task's script settings, i.e.
 * for VQA `--beam 1 --unnormalized` with the trie over the answer set (built from train and
 * test, so it covers closed and open questions), beam search where the scripts use one
 * (captioning 10, summarisation 5). Zero-shot: `evaluate_vqa_rad_unconstrained.sh` decodes
 * with beam search and no answer list; it leaves `$beam_size` unset, so fairseq's default
 * (`--beam 5`) applies. The prompt is the task's own wording (shared/tasks.ts, spec §2.2).
 */
export function defaultDecoding(task: string, mode: EvaluationMode): Decoding {
  const d = taskOf(task).decoding;
  if (mode === 'zeroshot') {
    const beam = Math.max(d.beam, ZERO_SHOT_BEAM);
    return { strategy: 'beam', beam, maxLength: d.maxLenB, noRepeatNgram: d.noRepeatNgram, lenpen: d.lenpen };
  }
  return {
    strategy: d.constrained ? 'trie' : d.beam > 1 ? 'beam' : 'greedy',
    beam: d.beam,
    maxLength: d.maxLenB,
    noRepeatNgram: d.noRepeatNgram,
    lenpen: d.lenpen,
  };
}

/** Imported weights evaluated directly (zero-shot, no run). */
export interface WeightsSource {
  readonly id: string;
  readonly name: string;
  /** The folder holding its model.safetensors (what the engine loads). */
  readonly checkpointPath: string;
}

/** What to evaluate: a run's checkpoint, or imported weights. */
export interface EvaluationTarget {
  readonly run?: RunSummary;
  readonly weights?: WeightsSource;
  readonly checkpoint?: CheckpointRecord;
  readonly datasetId: string;
  readonly split: 'train' | 'validation' | 'test';
  readonly mode?: EvaluationMode;
  readonly decoding?: Decoding;
  /** `released` (default): the task's released-script figures; `raw`: raw-text figures. */
  readonly pipeline?: PipelinePreset;
  /** The reference row this evaluation reproduces (recorded in its pipeline). */
  readonly reproduces?: string;
  readonly limit?: number;
}

/** Creates an evaluation row and queues its job on the scheduler. */
export function queueEvaluation(ctx: ServiceContext, t: EvaluationTarget): EvaluationSummary {
  const { evaluation, spec } = prepareEvaluation(ctx, t);
  ctx.scheduler.enqueueEvaluation(spec);
  ctx.events.emit('onDidChangeEvaluation', { evaluationId: evaluation.id, evaluation });
  return evaluation;
}

/**
 * Creates an evaluation row and the job a worker would get, without queueing it (a cluster
 * evaluation goes into a bundle instead). `pendingCheckpoint` is the path a cluster run's final
 * checkpoint will have, for an evaluation queued behind its training job.
 */
export function prepareEvaluation(
  ctx: ServiceContext,
  t: EvaluationTarget & { pendingCheckpoint?: string },
): { evaluation: EvaluationSummary; spec: EvaluateJob } {
  const run = t.run;
  const checkpoint =
    run && !t.pendingCheckpoint ? (t.checkpoint ?? ctx.store.checkpoints.latest(run.id)) : undefined;
  if (run && !checkpoint && !t.pendingCheckpoint) {
    throw new WorkbenchError(
      'conflict',
      `Run "${run.name}" has no checkpoint yet: evaluate it once it has written one.`,
      'runId',
    );
  }
  const checkpointPath = t.pendingCheckpoint ?? checkpoint?.path ?? t.weights?.checkpointPath;
  if (!checkpointPath)
    throw new WorkbenchError('invalid_input', 'Nothing to evaluate: give a run or weights', 'runId');
  const dataset = ctx.store.datasets.get(t.datasetId);
  if (!dataset) throw new WorkbenchError('invalid_input', `No dataset with id "${t.datasetId}"`, 'datasetId');
  const count = ctx.store.examples.count(t.datasetId, t.split);
  if (count === 0)
    throw new WorkbenchError('invalid_input', `The dataset has no ${t.split} examples`, 'split');
  const mode = t.mode ?? (run && trainedOn(ctx, run.id).includes(t.datasetId) ? 'finetuned' : 'zeroshot');
  const decoding = t.decoding ?? defaultDecoding(dataset.task, mode);
  const evaluation = ctx.store.evaluations.insert({
    runId: run?.id ?? null,
    experimentId: run?.experimentId ?? null,
    checkpointId: checkpoint?.id ?? null,
    checkpointPath,
    weightsId: t.weights?.id ?? null,
    datasetId: t.datasetId,
    split: t.split,
    mode,
    decoding,
    pipeline: {
      ...evaluationPipeline(dataset.task, t.pipeline ?? 'released'),
      ...(t.reproduces ? { reproduces: t.reproduces } : {}),
    },
  });
  const runConfig = (run ? ctx.store.runs.config(run.id) : null) ?? {};
  const backend = runConfig['backend'];
  const spec: EvaluateJob = {
    type: 'evaluate',
    evaluationId: evaluation.id,
    dbFile: ctx.home.databaseFile,
    blobsDir: ctx.home.blobs,
    checkpointPath,
    datasetId: t.datasetId,
    split: t.split,
    decoding,
    batchSize: decoding.strategy === 'beam' || decoding.strategy === 'allcand' ? 8 : 32,
    skipExampleIds: [],
    limit: t.limit ?? null,
    instructionForm: runConfig['kind'] === 'instruction',
    backend: typeof backend === 'string' ? backend : null,
  };
  return { evaluation, spec };
}

/** Folder of an evaluation's log when it has no run (never the case today; kept for imports). */
export function evaluationDir(ctx: ServiceContext, id: string): string {
  return join(ctx.home.runs, `eval-${id}`);
}
