import { join } from 'node:path';
import { gpuDeviceBytes, gpuFit } from '#main/engine/backend/gpu-fit';
import { adapterLine, parseBackendName } from '#main/engine/backend/index';
import { createEngineSession, type EngineSession, loadSession } from '#main/engine/index';
import { DEFAULT_ADAM } from '#main/engine/train/adamw';
import type { TrainJob } from '#main/jobs/protocol';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { parameterCount } from '#shared/model/weight-shapes';
import { taskOf } from '#shared/tasks';
import { asInstruction, toEngineExample } from './engine-examples';
import { ExampleReader, type WorkerExample } from './examples';
import type { JobContext } from './job-context';
import { MixtureSampler, type MixtureState } from './mixture';
import {
  checkpointConfig,
  checkpointExtra,
  checkpointVocab,
  saveSessionCheckpoint,
} from './session-checkpoint';

/** A job that cannot run as configured (empty split, unknown scale): not worth retrying. */
export class InvalidJobError extends Error {
  override readonly name = 'InvalidJobError';
}

/** Checkpoint folder of a step: sortable, one per step. */
export function checkpointPath(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `step-${String(step).padStart(7, '0')}`);
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

async function openSession(
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
    batch: { maxSourceTokens: h.maxSrcLength, maxTargetTokens: h.maxTgtLength },
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

/**
 * Fine-tuning (one dataset) or instruction tuning (a weighted mixture): the training loop of a
 * worker over an engine session. Stops only at step boundaries; every `checkpointEvery` steps, at
 * the end and on pause it writes a checkpoint holding everything needed to continue exactly
 * (weights, Adam moments, vocabulary, and the mixture's data order).
 */
export async function runTrainJob(
  job: TrainJob,
  ctx: JobContext,
): Promise<{ reason: 'completed' | 'cancelled' | 'paused'; step: number }> {
  const reader = new ExampleReader(job.dbFile, job.blobsDir);
  let session: EngineSession | undefined;
  try {
    const sets = loadMixture(reader, job);
    const h = job.hyper;
    session = await openSession(job, reader, sets, ctx);
    const s = session;
    const startStep = s.step;
    const saved = job.resumeCheckpoint
      ? (checkpointExtra(job.resumeCheckpoint)['mixture'] as MixtureState | undefined)
      : undefined;
    const sampler = new MixtureSampler(
      sets.map((x) => x.length),
      job.mixture.map((m) => m.weight),
      h.seed,
      saved ?? null,
    );
    if (s.backend.adapter) {
      // Refuse before the first step a run the GPU cannot hold, naming the figures.
      const fit = gpuFit(
        s.config,
        {
          batchSize: h.batchSize,
          sourceLength: h.maxSrcLength,
          targetLength: h.maxTgtLength,
          training: true,
        },
        s.backend.adapter,
        gpuDeviceBytes(s.backend.adapter),
      );
      if (!fit.ok) throw new Error(`does not fit the GPU: ${fit.reason}`);
    }
    const params = parameterCount(s.config);
    ctx.send({
      type: 'started',
      backend: {
        name: s.backend.name,
        version: s.backend.version,
        // the GPU adapter (vendor, architecture, description, limits) is recorded with the run
        device: s.backend.adapter ? `gpu ${adapterLine(s.backend.adapter)}` : s.backend.device,
        threads: s.backend.threads,
      },
      params,
      step: startStep,
      totalSteps: h.steps,
    });
    ctx.log(
      `${job.resumeCheckpoint ? `resuming at step ${startStep} from ${job.resumeCheckpoint}` : 'starting'}: ${job.scale}, ${params.toLocaleString('en')} parameters, vocabulary ${s.tokenizer.size}, ${sets.map((x) => x.length).join('+')} training examples`,
    );
    const writeCheckpoint = async (step: number) => {
      const path = checkpointPath(job.runDir, step);
      const bytes = await saveSessionCheckpoint(s, path, { mixture: sampler.state(), runId: job.runId });
      ctx.send({ type: 'checkpoint', step, path, bytes });
    };
    const schedule = { lr: h.lr, totalSteps: h.steps, warmupRatio: h.warmupRatio };
    // Closed-set tasks train against their answer trie, as OFA does (spec §2.2): every example
    // carries candidates (its own, else its dataset's answer set), so each batch is constrained.
    const constrained = !job.mixture.some((m) => m.instruction) && taskOf(job.task).decoding.constrained;
    const answerSets = job.mixture.map((m) => (constrained ? reader.answerSet(m.datasetId) : []));
    const candidatesOf = (dataset: number, e: WorkerExample): readonly string[] | null =>
      constrained
        ? e.candidates?.length
          ? e.candidates
          : answerSets[dataset]?.length
            ? answerSets[dataset]!
            : null
        : e.candidates;
    for (let step = startStep + 1; step <= h.steps; step++) {
      await ctx.yieldToHost();
      const stop = ctx.stopRequested();
      if (stop) {
        if (stop === 'pause' && step - 1 > startStep) await writeCheckpoint(step - 1);
        return { reason: stop === 'pause' ? 'paused' : 'cancelled', step: step - 1 };
      }
      const picks = sampler.next(step, h.batchSize);
      const examples = await Promise.all(
        picks.map(({ dataset, index }) => {
          const e = sets[dataset]![index]!;
          return toEngineExample(reader, e, s.config.imageSize, candidatesOf(dataset, e));
        }),
      );
      const r = await s.trainStep(s.prepare(examples), {
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
      if (step % h.checkpointEvery === 0 || step === h.steps) await writeCheckpoint(step);
    }
    ctx.log(`finished ${h.steps} steps`);
    return { reason: 'completed', step: h.steps };
  } finally {
    session?.dispose();
    reader.close();
  }
}
