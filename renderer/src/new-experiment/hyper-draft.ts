import { Hyperparameters } from '#shared/domain/hyperparameters';
import { CPU_RUNG_LR, CPU_RUNG_RECIPE } from '#shared/model/cpu-recipe';
import { isCpuRung, type PresetName } from '#shared/model/presets';
import { TASK_HYPERPARAMETERS } from '#shared/task-hyperparameters';
import type { TaskId } from '#shared/tasks';

/** A field of the hyperparameter form: label and hint here; bounds and integer-ness from the schema. */
export interface HyperField {
  readonly key: HyperKey;
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly hint: string;
}

export type HyperKey = Extract<
  keyof Hyperparameters,
  | 'lr'
  | 'steps'
  | 'batchSize'
  | 'warmupRatio'
  | 'labelSmoothing'
  | 'weightDecay'
  | 'gradClip'
  | 'maxSrcLength'
  | 'maxTgtLength'
>;

const field = (key: HyperKey, label: string, hint: string): HyperField => {
  const s = Hyperparameters.shape[key];
  return {
    key,
    label,
    hint,
    min: s.minValue ?? 0,
    max: s.maxValue ?? Number.POSITIVE_INFINITY,
    integer: s.isInt,
  };
};

/** The form fields, in display order. */
export const HYPER_FIELDS: readonly HyperField[] = [
  field(
    'lr',
    'Learning rate',
    `peak, after warmup; blank: the CPU rungs' rate (${CPU_RUNG_LR}, the same for every rung)`,
  ),
  field('steps', 'Training steps', 'optimizer updates'),
  field('batchSize', 'Batch size', 'examples per step'),
  field('warmupRatio', 'Warmup ratio', 'share of steps'),
  field('labelSmoothing', 'Label smoothing', '0 = none'),
  field('weightDecay', 'Weight decay', 'AdamW'),
  field('gradClip', 'Gradient clip', 'max norm, 0 = off'),
  field('maxSrcLength', 'Max source tokens', 'prompt length'),
  field('maxTgtLength', 'Max target tokens', 'answer length'),
];

/** The form's text, field by field (what the user typed, validated on the fly). */
export type HyperDraft = Record<HyperKey, string>;
/** The numbers of a valid form; no `lr` when left blank for the engine's default (CPU rungs from random weights). */
export type Hyper = Omit<Record<HyperKey, number>, 'lr'> & { lr?: number };

/**
 * The spec's recipe for a task (spec §2.2), as form text. Steps come from the recipe's epochs
 * over the training split, capped so a first run on a CPU finishes in minutes, not days. CPU
 * rungs from random weights take the CPU rungs' recipe of shared/model/cpu-recipe.ts instead
 * (the task's rate, warmup and epochs are for pretrained weights): the one `biomed demo` trains.
 */
export function recipeDraft(
  task: TaskId,
  trainExamples: number,
  cpu: boolean,
  fromRandom: { readonly scales: readonly PresetName[] } | null = null,
): HyperDraft {
  const r = TASK_HYPERPARAMETERS[task];
  const rungs = fromRandom?.scales ?? [];
  const cpuRungs = rungs.length > 0 && rungs.every(isCpuRung);
  const batch = cpuRungs ? CPU_RUNG_RECIPE.batchSize : cpu ? 8 : 32;
  const epochSteps = Math.max(1, Math.ceil(trainExamples / batch));
  const steps = cpuRungs
    ? Math.min(r.epochs * epochSteps, CPU_RUNG_RECIPE.steps)
    : cpu
      ? Math.min(r.epochs * epochSteps, 200)
      : r.epochs * epochSteps;
  return {
    lr: String(cpuRungs ? CPU_RUNG_LR : r.lr),
    steps: String(steps),
    batchSize: String(batch),
    warmupRatio: String(cpuRungs ? CPU_RUNG_RECIPE.warmupRatio : r.warmupRatio),
    labelSmoothing: String(r.labelSmoothing),
    weightDecay: String(r.weightDecay),
    gradClip: String(r.gradClip),
    maxSrcLength: String(r.maxSrcLength),
    maxTgtLength: String(r.maxTgtLength),
  };
}

/** Where the pre-filled numbers come from, in words (the form's "From the recipe: ..."). */
export function recipeSource(
  task: TaskId,
  fromRandom: { readonly scales: readonly PresetName[] } | null = null,
): string {
  const source = TASK_HYPERPARAMETERS[task].source;
  const rungs = fromRandom?.scales ?? [];
  return rungs.length > 0 && rungs.every(isCpuRung)
    ? `the CPU rungs' recipe from random weights, the one biomed demo trains (learning rate, steps, batch, warmup); the rest from ${source}`
    : source;
}

/**
 * Checks every field; returns the numbers when all are valid, and a message per invalid field.
 * With `lrPerRung` (CPU rungs from random weights) a blank learning rate is valid: the engine's default.
 */
export function validateHyper(
  d: HyperDraft,
  opts: { readonly lrPerRung?: boolean } = {},
): {
  values: Hyper | null;
  errors: Partial<Record<HyperKey, string>>;
} {
  const errors: Partial<Record<HyperKey, string>> = {};
  const values = {} as Record<HyperKey, number>;
  for (const f of HYPER_FIELDS) {
    const text = d[f.key].trim();
    if (f.key === 'lr' && text === '' && opts.lrPerRung) continue;
    const v = Number(text);
    if (text === '' || !Number.isFinite(v)) errors[f.key] = `${f.label} must be a number`;
    else if (f.integer && !Number.isInteger(v)) errors[f.key] = `${f.label} must be a whole number`;
    else if (!Hyperparameters.shape[f.key].safeParse(v).success)
      errors[f.key] = `${f.label} must be between ${f.min} and ${f.max}`;
    else values[f.key] = v;
  }
  return { values: Object.keys(errors).length === 0 ? values : null, errors };
}

/** Seeds typed as `1, 2, 3` or `1-5`; null with a reason when the text is not a seed list. */
export function parseSeeds(text: string): { seeds: number[] | null; error?: string } {
  const seeds: number[] = [];
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (b < a || b - a > 99) return { seeds: null, error: `"${part}" is not a range of at most 100 seeds` };
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) seeds.push(Number(part));
    else return { seeds: null, error: `"${part}" is not a seed (whole numbers, e.g. 1, 2, 3 or 1-5)` };
  }
  if (seeds.length === 0) return { seeds: null, error: 'Give at least one seed' };
  return { seeds: [...new Set(seeds)] };
}
