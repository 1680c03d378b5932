import { join } from 'node:path';
import { parseBackendName } from '#main/engine/backend/index';
import { createEngineSession, type EngineSession, loadSession } from '#main/engine/index';
import type { TrainJob } from '#main/jobs/protocol';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { taskOf } from '#shared/tasks';
import { asInstruction } from './engine-examples';
import type { ExampleReader, WorkerExample } from './examples';
import type { JobContext } from './job-context';
import { checkpointConfig, checkpointVocab } from './session-checkpoint';

// What a training job reads before its first step: its examples and its engine session.

/** A job that cannot run as configured (empty split, unknown scale): not worth retrying. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** Checkpoint folder of a step: sortable, one per step. */
export function checkpointPath(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`);
}

export function loadMixture(reader: ExampleReader, job: TrainJob): WorkerExample[][] {
  return job.mixture.map((m) => {
    const rows = reader.split(m.datasetId, 'train', m.instruction ? undefined : job.task);
    if (rows.length === 0) {
      throw new InvalidJobError(
        `dataset ${m.datasetId} has no training examples${m.instruction ? '' : ` for task ${job.task}`}`,
      );
    }
    return m.instruction ? rows.map(asInstruction) : rows;
  });
}

export async function openSession(
  job: TrainJob,
  reader: ExampleReader,
  sets: WorkerExample[][],
  ctx: JobContext,
): Promise<EngineSession> {
  const h = job.hyper;
  const backend = parseBackendName(job.backend ?? undefined);
  let warnings = 0;
  const common = {
    ...(backend ? { backend } : {}),
    batch: {
      maxSourceTokens: h.maxSrcLength,
      maxTargetTokens: h.maxTgtLength,
      imageNorm: taskOf(job.task).hyperparameters.imageNorm ?? 'half',
    },
    warn: (m: string) => {
      if (warnings++ < 5) ctx.log(m, 'warn');
    },
  };
  if (job.resumeCheckpoint) return loadSession(job.resumeCheckpoint, common);
  const texts = job.mixture.flatMap((m, i) => [
    ...reader.texts(m.datasetId),
    ...sets[i]!.map((e) => e.source),
  ]);
  return createEngineSession({
    ...common,
    // A run started from a checkpoint takes its architecture (custom shapes of imported weights too).
    preset: job.initCheckpoint
      ? {
          ...checkpointConfig(job.initCheckpoint),
          imageSize: h.imageSize,
          dropout: h.dropout,
          dropPath: h.dropPath,
        }
      : presetConfig(job.scale as PresetName, {
          imageSize: h.imageSize,
          dropout: h.dropout,
          dropPath: h.dropPath,
        }),
    seed: h.seed,
    // A run started from another run's checkpoint keeps that run's vocabulary (its id space).
    vocab: job.initCheckpoint
      ? { kind: 'json', json: checkpointVocab(job.initCheckpoint) }
      : { kind: 'trimmed', texts },
    ...(job.initCheckpoint ? { init: job.initCheckpoint } : {}),
  });
}

/** At most this many held-out examples are scored at each validation (shared out over the datasets). */
export const VALIDATION_EXAMPLES = 256;

/** The validation examples of the mixture (instruction form where it trains so), in stored order. */
export function loadValidation(reader: ExampleReader, job: TrainJob): WorkerExample[][] {
  const per = Math.ceil(VALIDATION_EXAMPLES / Math.max(job.mixture.length, 1));
  return job.mixture.map((m) => {
    const rows = reader.split(m.datasetId, 'validation', m.instruction ? undefined : job.task).slice(0, per);
    return m.instruction ? rows.map(asInstruction) : rows;
  });
}
