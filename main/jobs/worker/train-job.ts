import { gpuDeviceBytes, gpuFit } from '#main/engine/backend/gpu-fit';
import { adapterLine, webgpuPrecisionLine } from '#main/engine/backend/index';
import { stepDispatchTracker } from '#main/engine/backend/webgpu-counters';
import { type EngineSession, parseBestValidation, trainingLoop, VALIDATION_METRIC } from '#main/engine/index';
import { DEFAULT_ADAM } from '#main/engine/train/adamw';
import { backendsNote } from '#main/jobs/probe-noise';
import type { TrainJob } from '#main/jobs/protocol';
import { parameterCount } from '#shared/model/weight-shapes';
import { taskOf } from '#shared/tasks';
import { toEngineExample } from './engine-examples';
import { ExampleReader, type WorkerExample } from './examples';
import type { JobContext } from './job-context';
import { MixtureSampler, type MixtureState } from './mixture';
import { checkpointExtra, saveSessionCheckpoint } from './session-checkpoint';
import { checkpointPath, loadMixture, loadValidation, openSession } from './train-setup';

/**
 * Fine-tuning (one dataset) or instruction tuning (a weighted mixture): a worker's wiring of the
 * engine's training loop (main/engine/train/loop.ts) to the job's data, messages and checkpoints.
 * Stops only at step boundaries; every `checkpointEvery` steps, at the end and on pause it writes
 * a checkpoint holding everything needed to continue exactly (weights, Adam moments, vocabulary,
 * the mixture's data order and the best validation score so far), validating just before each.
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
    const resumed = job.resumeCheckpoint ? checkpointExtra(job.resumeCheckpoint) : {};
    const sampler = new MixtureSampler(
      sets.map((x) => x.length),
      job.mixture.map((m) => m.weight),
      h.seed,
      (resumed['mixture'] as MixtureState | undefined) ?? null,
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
        // the GPU adapter (vendor, architecture, description, limits) and the matrix products'
        // precision (BIOMED_WEBGPU_PRECISION) are recorded with the run
        device: s.backend.adapter
          ? `gpu ${adapterLine(s.backend.adapter)}; ${webgpuPrecisionLine()}`
          : s.backend.device,
        threads: s.backend.threads,
      },
      params,
      step: startStep,
      totalSteps: h.steps,
    });
    ctx.log(backendsNote(s.backend));
    ctx.log(
      `${job.resumeCheckpoint ? `resuming at step ${startStep} from ${job.resumeCheckpoint}` : 'starting'}: ${job.scale}, ${params.toLocaleString('en')} parameters, vocabulary ${s.tokenizer.size}, ${sets.map((x) => x.length).join('+')} training examples`,
    );
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
    const engineExamples = (picks: readonly { dataset: number; e: WorkerExample }[]) =>
      Promise.all(
        picks.map(({ dataset, e }) =>
          toEngineExample(reader, e, s.config.imageSize, candidatesOf(dataset, e)),
        ),
      );
    // WebGPU: the dispatches of one train step, recorded once with the run's backend line
    const dispatches = s.backend.name === 'webgpu' ? stepDispatchTracker() : undefined;
    const result = await trainingLoop(
      s.trainer,
      {
        totalSteps: h.steps,
        microBatchSize: h.batchSize,
        checkpointEvery: h.checkpointEvery,
        validateEvery: h.checkpointEvery,
        train: {
          schedule: { lr: h.lr, totalSteps: h.steps, warmupRatio: h.warmupRatio },
          adam: { ...DEFAULT_ADAM, weightDecay: h.weightDecay },
          clipNorm: h.gradClip,
          labelSmoothing: h.labelSmoothing,
        },
        best: parseBestValidation(resumed['bestValidation']),
      },
      {
        stopRequested: async () => {
          await ctx.yieldToHost();
          return ctx.stopRequested();
        },
        batch: (step) =>
          engineExamples(
            sampler
              .next(step, h.batchSize)
              .map(({ dataset, index }) => ({ dataset, e: sets[dataset]![index]! })),
          ),
        prepare: (examples) => s.prepare(examples),
        validation: async () => {
          const held = loadValidation(reader, job).flatMap((rows, dataset) =>
            rows.map((e) => ({ dataset, e })),
          );
          if (held.length === 0)
            ctx.log('no validation examples in the training datasets: validation skipped');
          else ctx.log(`validating on ${held.length} held-out examples at each checkpoint`);
          return engineExamples(held);
        },
        logStep: (r) => {
          const wallTime = Date.now() / 1000;
          ctx.send({
            type: 'metrics',
            points: [
              { name: 'train/loss', step: r.step, value: r.loss, wallTime },
              { name: 'train/lr', step: r.step, value: r.lr, wallTime },
              { name: 'train/grad_norm', step: r.step, value: r.gradNorm, wallTime },
              { name: 'train/tokens_per_sec', step: r.step, value: r.tokensPerSec, wallTime },
            ],
          });
          const perStep = dispatches?.step();
          ctx.send({
            type: 'progress',
            step: r.step,
            totalSteps: h.steps,
            ...(perStep !== undefined ? { dispatchesPerStep: perStep } : {}),
          });
        },
        logValidation: (step, v, best) => {
          dispatches?.interrupt();
          ctx.send({
            type: 'metrics',
            points: [{ name: VALIDATION_METRIC, step, value: v.loss, wallTime: Date.now() / 1000 }],
          });
          ctx.log(
            `validation at step ${step}: loss ${v.loss.toFixed(4)} over ${v.examples} examples${best ? ` (best ${best.value.toFixed(4)} at step ${best.step})` : ''}`,
          );
        },
        checkpoint: async (step, best) => {
          dispatches?.interrupt();
          const path = checkpointPath(job.runDir, step);
          const bytes = await saveSessionCheckpoint(s, path, {
            mixture: sampler.state(),
            runId: job.runId,
            ...(best ? { bestValidation: best } : {}),
          });
          ctx.send({ type: 'checkpoint', step, path, bytes });
        },
      },
    );
    if (result.reason === 'completed') ctx.log(`finished ${h.steps} steps`);
    return { reason: result.reason, step: result.step };
  } finally {
    session?.dispose();
    reader.close();
  }
}
