import { join } from 'node:path';
import { describeBackends } from '#main/jobs/backends';
import { bundleDirOf } from '#main/jobs/cluster/bundle';
import type { TrainJob } from '#main/jobs/protocol';
import { checkpointPath } from '#main/jobs/worker/train-setup';
import { WorkbenchError } from '#shared/api/errors';
import { ClusterProfile } from '#shared/domain/cluster';
import type { ExperimentSummary } from '#shared/domain/experiment';
import type { RunSummary } from '#shared/domain/run';
import type { ServiceContext } from './context';
import { prepareEvaluation } from './evaluation-queue';
import { type ExperimentInput, planExperiment, type RunPlan } from './experiment-plan';
import type { Handlers } from './handler';
import { plannedEvaluations } from './job-events';

async function chosenBackend(preferred: string | undefined): Promise<string> {
  if (preferred) return preferred;
  const backends = await describeBackends();
  return backends.find((b) => b.chosen)?.name ?? 'cpu';
}

function toSummary(e: {
  id: string;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  createdAt: string;
}): ExperimentSummary {
  return { id: e.id, name: e.name, kind: e.kind, config: e.config, createdAt: e.createdAt };
}

function clusterLimit(p: ClusterProfile | null): { name: string; memoryBytes: number } | undefined {
  return p ? { name: p.name, memoryBytes: p.memoryMb * 2 ** 20 } : undefined;
}

/** Every cluster profile's job memory, for advice on runs too big for this machine. */
function profileLimits(ctx: ServiceContext): { name: string; memoryBytes: number }[] {
  return ctx.store.clusters.profiles().flatMap((raw) => {
    const p = ClusterProfile.safeParse(raw);
    return p.success ? [{ name: p.data.name, memoryBytes: p.data.memoryMb * 2 ** 20 }] : [];
  });
}

function planView(p: RunPlan) {
  return {
    name: p.name,
    scale: p.scale,
    datasetIds: p.mixture.map((m) => m.datasetId),
    hyperparameters: p.hyperparameters,
    estimate: p.estimate,
  };
}

/** The job a run's worker gets (locally, or in a cluster bundle with the paths rewritten). */
function trainSpec(ctx: ServiceContext, input: ExperimentInput, run: RunSummary, p: RunPlan): TrainJob {
  return {
    type: 'train',
    runId: run.id,
    runDir: join(ctx.home.runs, run.id),
    dbFile: ctx.home.databaseFile,
    blobsDir: ctx.home.blobs,
    task: input.task,
    scale: p.scale,
    mixture: p.mixture.map((m) => ({ ...m, instruction: input.kind === 'instruction' })),
    hyper: { ...p.hyperparameters },
    initCheckpoint: p.initCheckpoint,
    resumeCheckpoint: null,
    backend: input.backend ?? null,
  };
}

/** The cluster profile an experiment goes to, refused by name when there is none. */
function clusterProfile(ctx: ServiceContext, name: string | undefined): ClusterProfile | null {
  if (name === undefined) return null;
  const raw = ctx.store.clusters.profile(name);
  if (raw === undefined)
    throw new WorkbenchError('invalid_input', `No cluster profile named "${name}"`, 'cluster');
  return ClusterProfile.parse(raw);
}

/** Inserts the experiment and its runs in one transaction, then queues the runs' jobs. */
function queueExperiment(
  ctx: ServiceContext,
  input: ExperimentInput,
  plans: readonly RunPlan[],
  queueLocally = true,
): { experiment: ExperimentSummary; runs: RunSummary[] } {
  const { store } = ctx;
  const { dryRun: _dry, ...config } = input;
  const created = store.transaction(() => {
    const experiment = store.experiments.insert({ name: input.name, kind: input.kind, config });
    const runs = plans.map((p) =>
      store.runs.insert({
        experimentId: experiment.id,
        name: p.name,
        scale: p.scale,
        task: input.task,
        datasetId: p.mixture[0]?.datasetId ?? null,
        params: p.estimate.params,
        totalSteps: p.hyperparameters.steps,
        config: {
          kind: input.kind,
          task: input.task,
          scale: p.scale,
          mixture: p.mixture,
          hyperparameters: p.hyperparameters,
          initCheckpoint: p.initCheckpoint,
          ...(input.init.type === 'weights' ? { initWeightsId: input.init.weightsId } : {}),
          evaluate: input.evaluate,
          backend: input.backend ?? null,
          estimate: p.estimate,
          ...(input.cluster ? { cluster: input.cluster } : {}),
        },
      }),
    );
    return { experiment, runs };
  });
  created.runs.forEach((run, i) => {
    if (queueLocally) ctx.scheduler.enqueueTrain(trainSpec(ctx, input, run, plans[i]!));
    ctx.events.emit('onDidChangeRun', { kind: 'created', runId: run.id, run });
  });
  return { experiment: toSummary(created.experiment), runs: created.runs };
}

/** `experiments.*`: validate, estimate and queue fine-tuning, instruction tuning and sweeps. */
export const experimentHandlers: Handlers<
  'experiments.create' | 'experiments.estimate' | 'experiments.get' | 'experiments.list'
> = {
  'experiments.create': async (input, ctx) => {
    const profile = clusterProfile(ctx, input.cluster);
    const plans = planExperiment(ctx, input, await chosenBackend(input.backend), clusterLimit(profile), {
      clusters: profileLimits(ctx),
    });
    if (input.dryRun) return { experiment: null, plan: plans.map(planView), runs: [] };
    const { experiment, runs } = queueExperiment(ctx, input, plans, profile === null);
    if (profile) {
      // A run becomes one batch job, a sweep one job array, against one bundle on the shared folder.
      // Its evaluations are one more job (or array) after the training job (or array).
      const bundleDir = bundleDirOf(profile, experiment.id);
      const evaluations = runs.flatMap((run, i) =>
        plannedEvaluations(ctx, run).map((t) => {
          const { evaluation, spec } = prepareEvaluation(ctx, {
            ...t,
            pendingCheckpoint: checkpointPath(
              join(bundleDir, 'runs', run.id),
              plans[i]!.hyperparameters.steps,
            ),
          });
          ctx.events.emit('onDidChangeEvaluation', { evaluationId: evaluation.id, evaluation });
          return { evaluationId: evaluation.id, spec, afterRunId: run.id };
        }),
      );
      try {
        await ctx.clusters.submit(
          profile,
          experiment,
          runs.map((run, i) => ({ runId: run.id, spec: trainSpec(ctx, input, run, plans[i]!) })),
          evaluations,
        );
      } catch (err) {
        throw new WorkbenchError('unavailable', (err as Error).message, 'cluster');
      }
      return { experiment, plan: plans.map(planView), runs: runs.map((r) => ctx.store.runs.get(r.id) ?? r) };
    }
    return { experiment, plan: plans.map(planView), runs };
  },
  'experiments.estimate': async (input, ctx) =>
    planExperiment(
      ctx,
      input,
      await chosenBackend(input.backend),
      clusterLimit(clusterProfile(ctx, input.cluster)),
      { allowUnfit: true, clusters: profileLimits(ctx) },
    ).map(planView),
  'experiments.get': ({ id }, ctx) => {
    const e = ctx.store.experiments.get(id);
    if (!e) throw new WorkbenchError('not_found', `No experiment with id "${id}"`, 'id');
    const runs = ctx.store.runs.list({
      experimentId: id,
      sort: 'createdAt',
      order: 'asc',
      offset: 0,
      limit: 1000,
    }).runs;
    return { ...toSummary(e), runs, evaluations: ctx.store.evaluations.list({ experimentId: id }) };
  },
  'experiments.list': (_input, ctx) => ctx.store.experiments.list().map(toSummary),
};
