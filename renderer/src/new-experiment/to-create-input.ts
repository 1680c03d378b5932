import type { ExperimentRequest } from '#shared/domain/experiment';
import type { PresetName } from '#shared/model/presets';
import type { TaskId } from '#shared/tasks';
import type { Hyper } from './hyper-draft';

/** What the form holds when the user presses Queue. */
export interface ExperimentForm {
  readonly name: string;
  readonly task: TaskId;
  readonly weights: ReadonlyMap<string, number>;
  readonly scales: readonly PresetName[];
  readonly seeds: readonly number[];
  /** A run id whose last checkpoint initialises the model, `weights:<id>` for imported weights; '' for random. */
  readonly init: string;
  readonly hyper: Hyper;
  /** Split evaluated when each run finishes; null = do not evaluate automatically. */
  readonly evaluateSplit: 'test' | 'validation' | null;
  /** Evaluate at most this many examples (quick looks); null = all. */
  readonly evaluateLimit: number | null;
  /** Submit to this cluster profile (a sweep becomes a job array); absent = this machine. */
  readonly cluster?: string | null;
}

/** A default name: dataset names (or "mixture") and the scale (or the imported weights' architecture). */
export function defaultName(f: ExperimentForm, datasetName: (id: string) => string, arch?: string): string {
  const ids = [...f.weights.keys()];
  const data = f.task === 'instruction' ? 'instruction mixture' : ids.map(datasetName).join(' + ');
  return `${data} ${arch ?? f.scales.join('/')}`.trim();
}

/**
 * The `experiments.create` request: a fine-tune sweeps over datasets, scales and seeds; an
 * instruction-tuning mixture trains on all its datasets at once and sweeps scales and seeds.
 */
export function toCreateInput(f: ExperimentForm, name: string): ExperimentRequest {
  const ids = [...f.weights.keys()];
  const instruction = f.task === 'instruction';
  const firstScale = f.scales[0] ?? 'cpu-xs';
  const sweep: NonNullable<ExperimentRequest['sweep']> = {};
  if (f.scales.length > 1) sweep.scales = [...f.scales];
  if (!instruction && ids.length > 1) sweep.datasets = ids;
  if (f.seeds.length > 1) sweep.seeds = [...f.seeds];
  const datasets = instruction
    ? ids.map((datasetId) => ({ datasetId, weight: f.weights.get(datasetId) ?? 1 }))
    : [{ datasetId: ids[0] ?? '', weight: 1 }];
  return {
    name,
    kind: instruction ? 'instruction' : 'finetune',
    task: f.task,
    datasets,
    scale: firstScale,
    init: f.init.startsWith('weights:')
      ? { type: 'weights', weightsId: f.init.slice('weights:'.length) }
      : f.init
        ? { type: 'run', runId: f.init }
        : { type: 'none' },
    hyperparameters: { ...f.hyper, seed: f.seeds[0] ?? 1 },
    ...(Object.keys(sweep).length > 0 ? { sweep } : {}),
    evaluate: {
      split: f.evaluateSplit,
      zeroShot: [],
      ...(f.evaluateLimit ? { limit: f.evaluateLimit } : {}),
    },
    ...(f.cluster ? { cluster: f.cluster } : {}),
  };
}
