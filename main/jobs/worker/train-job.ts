import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend, parseBackendName } from '#main/engine/backend/index';
import { createWeights } from '#main/engine/model/weights';
import { Tokenizer, trimmedVocabFor } from '#main/engine/tokenizer/tokenizer';
import { createAdamState, DEFAULT_ADAM } from '#main/engine/train/adamw';
import { prepareBatch } from '#main/engine/train/batch';
import { trainStep } from '#main/engine/train/step';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { parameterCount } from '#shared/model/weight-shapes';
import type { TrainJob } from '../protocol';
import type { WriteFn } from './checkpoint-file';
import { asInstruction, toEngineExample } from './engine-examples';
import { ExampleReader, type WorkerExample } from './examples';
import type { JobContext } from './job-context';
import { MixtureSampler, type MixtureState } from './mixture';
import { loadTrainingCheckpoint, saveTrainingCheckpoint, type TrainingCheckpoint } from './model-checkpoint';

/** A job that cannot run as configured (empty split, unknown scale): not worth retrying. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

let checkpointsWritten = 0;

/**
 * Test hook for machines where a small tmpfs cannot be mounted: with
 * BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS=n, checkpoint writes after the n-th fail like a full disk.
 */
function simulatedFullDisk(): WriteFn | undefined {
  const limit = Number(process.env['BIOMED_TEST_ENOSPC_AFTER_CHECKPOINTS']);
  if (!Number.isInteger(limit)) return undefined;
  if (checkpointsWritten++ < limit) return undefined;
  return () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
}

/** Checkpoint file name of a step: sortable, one per step. */
export function checkpointPath(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}.safetensors`);
}

function loadMixture(reader: ExampleReader, job: TrainJob): WorkerExample[][] {
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

/**
 * Fine-tuning (one dataset) or instruction tuning (a weighted mixture): the training loop of a
 * worker. Stops only at step boundaries; every `checkpointEvery` steps, at the end and on pause it
 * writes a checkpoint holding everything needed to continue bit-for-bit (weights, Adam moments,
 * vocabulary, data order).
 */
export async function runTrainJob(
  job: TrainJob,
  ctx: JobContext,
): Promise<{ reason: 'completed' | 'cancelled' | 'paused'; step: number }> {
  const prefer = parseBackendName(job.backend ?? undefined);
  const backend = await initBackend(prefer ? { prefer } : {});
  const reader = new ExampleReader(job.dbFile, job.blobsDir);
  try {
    const sets = loadMixture(reader, job);
    const h = job.hyper;
    let restored: TrainingCheckpoint | null = null;
    if (job.resumeCheckpoint) restored = loadTrainingCheckpoint(job.resumeCheckpoint, true);
    else if (job.initCheckpoint) restored = loadTrainingCheckpoint(job.initCheckpoint, false);
    const vocab =
      restored?.vocab ??
      trimmedVocabFor(
        job.mixture.flatMap((m, i) => [...reader.texts(m.datasetId), ...sets[i]!.map((e) => e.source)]),
      );
    const config =
      restored?.config ??
      presetConfig(job.scale as PresetName, { vocabSize: vocab.size, imageSize: h.imageSize });
    const weights = restored?.weights ?? createWeights(config, h.seed);
    const adam = (job.resumeCheckpoint ? restored?.adam : null) ?? createAdamState();
    const startStep = job.resumeCheckpoint ? (restored?.step ?? 0) : 0;
    const mixtureState = job.resumeCheckpoint
      ? ((restored?.state as { mixture?: MixtureState } | null)?.mixture ?? null)
      : null;
    const sampler = new MixtureSampler(
      sets.map((s) => s.length),
      job.mixture.map((m) => m.weight),
      h.seed,
      mixtureState,
    );
    let truncationWarnings = 0;
    const tokenizer = new Tokenizer(vocab, (m) => {
      if (truncationWarnings++ < 5) ctx.log(m, 'warn');
    });
    ctx.send({
      type: 'started',
      backend: {
        name: backend.name,
        version: backend.version,
        device: backend.device,
        threads: backend.threads,
      },
      params: parameterCount(config),
      step: startStep,
      totalSteps: h.steps,
    });
    ctx.log(
      `${job.resumeCheckpoint ? `resuming at step ${startStep} from ${job.resumeCheckpoint}` : 'starting'}: ${job.scale}, ${parameterCount(config).toLocaleString('en')} parameters, vocabulary ${vocab.size}, ${sets.map((s) => s.length).join('+')} training examples`,
    );
    mkdirSync(join(job.runDir, 'checkpoints'), { recursive: true });
    const writeCheckpoint = (step: number) => {
      const path = checkpointPath(job.runDir, step);
      const bytes = saveTrainingCheckpoint(path, {
        config,
        vocab,
        weights,
        adam,
        step,
        state: { mixture: sampler.state() },
      });
      ctx.send({ type: 'checkpoint', step, path, bytes });
    };
    const schedule = { lr: h.lr, totalSteps: h.steps, warmupRatio: h.warmupRatio };
    for (let step = startStep + 1; step <= h.steps; step++) {
      await ctx.yieldToHost();
      const stop = ctx.stopRequested();
      if (stop) {
        if (stop === 'pause' && step - 1 > startStep) writeCheckpoint(step - 1);
        return { reason: stop === 'pause' ? 'paused' : 'cancelled', step: step - 1 };
      }
      const picks = sampler.next(step, h.batchSize);
      const examples = await Promise.all(
        picks.map(({ dataset, index }) => toEngineExample(reader, sets[dataset]![index]!, config.imageSize)),
      );
      const batch = prepareBatch(examples, tokenizer, config, {
        maxSourceTokens: h.maxSrcLength,
        maxTargetTokens: h.maxTgtLength,
      });
      const r = trainStep({ config, weights, adam, seed: h.seed }, [batch], {
        schedule,
        adam: { ...DEFAULT_ADAM, weightDecay: h.weightDecay },
        clipNorm: h.gradClip,
        labelSmoothing: h.labelSmoothing,
      });
      const wallTime = Date.now() / 1000;
      ctx.send({
        type: 'metrics',
        points: [
          { name: 'train/loss', step, value: r.loss, wallTime },
          { name: 'train/lr', step, value: r.lr, wallTime },
          { name: 'train/grad_norm', step, value: r.gradNorm, wallTime },
          { name: 'train/tokens_per_sec', step, value: r.tokensPerSec, wallTime },
        ],
      });
      ctx.send({ type: 'progress', step, totalSteps: h.steps });
      if (step % h.checkpointEvery === 0 || step === h.steps) writeCheckpoint(step);
    }
    ctx.log(`finished ${h.steps} steps`);
    return { reason: 'completed', step: h.steps };
  } finally {
    reader.close();
  }
}
