import { dirname } from 'node:path';
import type { ParsedInput } from '#shared/api/contract';
import { WorkbenchError } from '#shared/api/errors';
import type { ResourceEstimate } from '#shared/domain/experiment';
import type { ResolvedHyperparameters } from '#shared/domain/hyperparameters';
import type { ModelConfig } from '#shared/model/config';
import { defaultLr } from '#shared/model/cpu-recipe';
import {
  CPU_RUNG_DEFAULT_VOCAB,
  FAIRSEQ_VOCAB_SIZE,
  isCpuRung,
  type PresetName,
  presetConfig,
} from '#shared/model/presets';
import { taskOf } from '#shared/tasks';
import type { ServiceContext } from './context';
import { estimateRun, memoryRefusal, unfitAdvice } from './estimate';

/** The request after validation, defaults applied. */
export type ExperimentInput = ParsedInput<'experiments.create'>;

/** One run an experiment will queue. */
export interface RunPlan {
  readonly name: string;
  readonly scale: PresetName;
  readonly mixture: readonly { readonly datasetId: string; readonly weight: number }[];
  readonly hyperparameters: ResolvedHyperparameters;
  readonly estimate: ResourceEstimate;
  readonly initCheckpoint: string | null;
}

const trainCount = (ctx: ServiceContext, datasetId: string, task: string | null): number =>
  ctx.store.examples.count(datasetId, 'train', task ?? undefined);

function datasetName(ctx: ServiceContext, id: string, field: string): string {
  const row = ctx.store.datasets.get(id);
  if (!row) throw new WorkbenchError('invalid_input', `No dataset with id "${id}"`, field);
  return row.name;
}

/** The folder of imported weights to start from; their preset must be the scale (a custom shape any). */
function weightsInit(ctx: ServiceContext, weightsId: string, scale: PresetName): string {
  const w = ctx.store.weights.get(weightsId);
  if (!w)
    throw new WorkbenchError('invalid_input', `No imported weights with id "${weightsId}"`, 'init.weightsId');
  const preset = w.architecture.preset;
  if (preset !== 'custom' && preset !== scale)
    throw new WorkbenchError(
      'invalid_input',
      `"${w.name}" are ${preset} weights, not ${scale}: choose scale ${preset} to start from them`,
      'scale',
    );
  return dirname(w.storedPath);
}

/** What a run's architecture is called: its scale, or the imported weights' custom shape. */
export function architectureLabel(ctx: ServiceContext, input: ExperimentInput, scale: PresetName): string {
  if (input.init.type !== 'weights') return scale;
  const w = ctx.store.weights.get(input.init.weightsId);
  return w && w.architecture.preset === 'custom' ? `custom (${w.name})` : scale;
}

/** The architecture a run starts with: the imported weights' own (custom shapes), else the preset. */
function initConfig(ctx: ServiceContext, input: ExperimentInput): ModelConfig | null {
  if (input.init.type !== 'weights') return null;
  return ctx.store.weights.get(input.init.weightsId)?.architecture.config ?? null;
}

function initCheckpoint(ctx: ServiceContext, input: ExperimentInput, scale: PresetName): string | null {
  if (input.init.type === 'none') return null;
  if (input.init.type === 'weights') return weightsInit(ctx, input.init.weightsId, scale);
  const run = ctx.store.runs.get(input.init.runId);
  if (!run)
    throw new WorkbenchError(
      'invalid_input',
      `No run with id "${input.init.runId}" to start from`,
      'init.runId',
    );
  if (run.scale !== scale) {
    throw new WorkbenchError(
      'invalid_input',
      `Run "${run.name}" is ${run.scale}, not ${scale}: initial weights must come from the same scale`,
      'init.runId',
    );
  }
  const ck =
    input.init.checkpointId !== undefined
      ? ctx.store.checkpoints.get(input.init.checkpointId)
      : ctx.store.checkpoints.latest(run.id);
  if (!ck || ck.runId !== run.id) {
    throw new WorkbenchError(
      'invalid_input',
      `Run "${run.name}" has no such checkpoint to start from`,
      'init.checkpointId',
    );
  }
  return ck.path;
}

function resolveHyperparameters(
  input: ExperimentInput,
  scale: PresetName,
  examples: number,
  lr: number,
  seed: number,
): ResolvedHyperparameters {
  const o = input.hyperparameters;
  const th = taskOf(input.task).hyperparameters;
  const preset = presetConfig(scale);
  const batchSize = o.batchSize ?? (isCpuRung(scale) ? 16 : 32);
  const epochs = o.epochs ?? th.epochs;
  const steps = o.steps ?? Math.max(1, Math.ceil((epochs * examples) / batchSize));
  return {
    lr,
    steps,
    epochs: o.steps ? (steps * batchSize) / Math.max(examples, 1) : epochs,
    batchSize,
    warmupRatio: o.warmupRatio ?? th.warmupRatio,
    labelSmoothing: o.labelSmoothing ?? th.labelSmoothing,
    weightDecay: o.weightDecay ?? th.weightDecay,
    gradClip: o.gradClip ?? th.gradClip,
    maxSrcLength: Math.min(o.maxSrcLength ?? th.maxSrcLength, preset.maxSourcePositions - 2),
    maxTgtLength: Math.min(o.maxTgtLength ?? th.maxTgtLength, preset.maxTargetPositions - 1),
    // CPU rungs keep their small images; paper scales use the task's (spec §2.2).
    imageSize: o.imageSize ?? (isCpuRung(scale) ? preset.imageSize : (th.imageSize ?? preset.imageSize)),
    seed,
    // Minutes-long CPU runs learn far faster without regularisation (measured: 8 VQA-RAD examples
    // memorised in 100 steps without dropout, not with the spec's 0.1); paper scales keep 0.1.
    dropout: o.dropout ?? (isCpuRung(scale) ? 0 : preset.dropout),
    dropPath: o.dropPath ?? (isCpuRung(scale) ? 0 : preset.dropPath),
    checkpointEvery: o.checkpointEvery ?? Math.max(1, Math.ceil(steps / 5)),
  };
}

/**
 * Validates an experiment request against the store and this machine and expands a sweep into
 * its runs (cartesian product of scales x datasets x learning rates x seeds), each with resolved
 * hyperparameters and a memory/time estimate. Refuses, naming the field, what cannot run.
 */
export function planExperiment(
  ctx: ServiceContext,
  input: ExperimentInput,
  backend: string,
  /** A cluster job's memory (`--mem`) instead of this machine's. */
  cluster?: { readonly name: string; readonly memoryBytes: number },
  /** Estimates only: plan runs that do not fit too, each with advice, instead of refusing. */
  opts: {
    readonly allowUnfit?: boolean;
    readonly clusters?: readonly { readonly name: string; readonly memoryBytes: number }[];
  } = {},
): RunPlan[] {
  const task = taskOf(input.task);
  const th = task.hyperparameters;
  const instruction = input.kind === 'instruction';
  input.datasets.forEach((d, i) => {
    datasetName(ctx, d.datasetId, `datasets.${i}.datasetId`);
  });
  const sweep = input.sweep ?? {};
  const scales = sweep.scales ?? [input.scale];
  const mixtures = sweep.datasets
    ? sweep.datasets.map((id, i) => {
        datasetName(ctx, id, `sweep.datasets.${i}`);
        return [{ datasetId: id, weight: 1 }];
      })
    : [input.datasets.map((d) => ({ datasetId: d.datasetId, weight: d.weight }))];
  // No rate given: each scale takes its default (the per-width rule on CPU rungs from random weights).
  const lrs: readonly (number | null)[] = sweep.lrs ?? [input.hyperparameters.lr ?? null];
  const seeds = sweep.seeds ?? [input.hyperparameters.seed ?? 1];
  const plans: RunPlan[] = [];
  for (const scale of scales) {
    for (const mixture of mixtures) {
      const examples = mixture.reduce((sum, m, i) => {
        const n = trainCount(ctx, m.datasetId, instruction ? null : input.task);
        if (n === 0) {
          throw new WorkbenchError(
            'invalid_input',
            `Dataset "${datasetName(ctx, m.datasetId, 'datasets')}" has no training examples${instruction ? '' : ` for task ${input.task}`}`,
            sweep.datasets ? 'sweep.datasets' : `datasets.${i}.datasetId`,
          );
        }
        return sum + n;
      }, 0);
      const init = initCheckpoint(ctx, input, scale);
      for (const lr of lrs) {
        for (const seed of seeds) {
          const rate = lr ?? defaultLr(scale, input.init.type === 'none', th.lr);
          const h = resolveHyperparameters(input, scale, examples, rate, seed);
          const fromWeights = initConfig(ctx, input);
          const config: ModelConfig = fromWeights
            ? { ...fromWeights, imageSize: h.imageSize }
            : presetConfig(scale, {
                vocabSize: isCpuRung(scale) ? CPU_RUNG_DEFAULT_VOCAB : FAIRSEQ_VOCAB_SIZE,
                imageSize: h.imageSize,
              });
          const estimateInput = {
            config,
            batchSize: h.batchSize,
            maxSrcLength: h.maxSrcLength,
            maxTgtLength: h.maxTgtLength,
            withImage: task.image !== 'none' || instruction,
            steps: h.steps,
            backend,
          };
          const raw = estimateRun(estimateInput);
          const estimate =
            !cluster && !raw.fits
              ? { ...raw, advice: unfitAdvice(estimateInput, raw, opts.clusters ?? []) }
              : raw;
          if (cluster && estimate.memoryBytes > cluster.memoryBytes)
            throw new WorkbenchError(
              'invalid_input',
              `${scale} at batch ${h.batchSize} needs about ${(estimate.memoryBytes / 2 ** 30).toFixed(1)} GiB, more than the ${(cluster.memoryBytes / 2 ** 30).toFixed(1)} GiB that cluster "${cluster.name}" jobs ask for (raise its memory or lower the batch size)`,
              'scale',
            );
          if (!cluster && !estimate.fits && !opts.allowUnfit)
            throw new WorkbenchError('invalid_input', memoryRefusal(estimate, h.batchSize), 'scale');
          const names = mixture.map((m) => datasetName(ctx, m.datasetId, 'datasets')).join('+');
          const arch = architectureLabel(ctx, input, scale);
          // Parts the experiment's name already says are not repeated ("VQA-RAD cpu-xs / cpu-xs / VQA-RAD").
          const parts = [input.name];
          if (scales.length > 1 || !input.name.includes(arch)) parts.push(arch);
          if (mixtures.length > 1 || !input.name.includes(names)) parts.push(names);
          if (lrs.length > 1) parts.push(`lr=${lr}`);
          if (seeds.length > 1) parts.push(`seed=${seed}`);
          plans.push({
            name: parts.join(' / '),
            scale,
            mixture,
            hyperparameters: h,
            estimate,
            initCheckpoint: init,
          });
        }
      }
    }
  }
  return plans;
}
