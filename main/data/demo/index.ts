import type { ImageSource, ParsedDataset, ParsedExample } from '#main/data/types';
import { toInstruction } from '#shared/tasks';
import {
  COUNT_VQA_OPTIONS,
  type CountVqaOption,
  demoCaptioning,
  demoClassification,
  demoVqa,
  demoVqaCounts,
} from './image-demos';
import { demoNli, demoQa, demoSummarization } from './notes';

/** An instruction mixture drawn from the other demos (each example in its instruction form). */
export function demoInstruction(seed: number, perSource = 80): ParsedDataset {
  const sources = [
    demoVqa(seed + 11, 60),
    demoCaptioning(seed + 12, 80),
    demoQa(seed + 13, 80),
    demoSummarization(seed + 14, 80),
  ];
  const examples: ParsedExample[] = [];
  const images = new Map<string, ImageSource>();
  for (const [k, d] of sources.entries()) {
    for (const e of d.examples.slice(0, perSource)) {
      const form = toInstruction(e.task, e.inputs, e.target, e.candidates);
      const image = e.image === undefined ? undefined : `${k}/${e.image}`;
      if (image && e.image !== undefined) images.set(image, d.images.get(e.image)!);
      examples.push({
        task: 'instruction',
        inputs: { instruction: form.instruction, input: form.input },
        target: form.output,
        ...(image ? { image } : {}),
        meta: { ...e.meta, sourceTask: e.task },
      });
    }
  }
  return {
    format: 'demo',
    name: 'Demo: instruction mixture',
    task: 'instruction',
    examples,
    images,
    synthetic: true,
    meta: {
      demoId: 'instruction-mixture',
      seed,
      note: 'Synthetic: a mixture of the other demo datasets in instruction form.',
    },
  };
}

/**
 * Images of the VQA demo: 1,280 phantoms give 512 test questions (CI half-width ~0.035, where 320
 * gave ~115 and ~0.09), enough for `biomed demo`'s rungs to separate (issue 25).
 */
export const DEMO_VQA_IMAGES = 1280;

/**
 * Another counting question set, for benches (issue 25):
 * `BIOMED_DEMO_VQA=counts[-nopres][-small][-cmp][-n4]`, `BIOMED_DEMO_VQA_IMAGES=N` (default 1,024).
 */
function vqaOverride(seed: number, images: number | undefined): ParsedDataset | null {
  const spec = process.env['BIOMED_DEMO_VQA'];
  if (!spec) return null;
  const [kind, ...options] = spec.split('-');
  const bad = options.filter((o) => !(COUNT_VQA_OPTIONS as readonly string[]).includes(o));
  if (kind !== 'counts' || bad.length > 0) {
    throw new Error(
      `BIOMED_DEMO_VQA=${spec}: expected counts[-${COUNT_VQA_OPTIONS.join('][-')}]${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`,
    );
  }
  const count = images ?? Number(process.env['BIOMED_DEMO_VQA_IMAGES'] ?? 1024);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(
      `BIOMED_DEMO_VQA_IMAGES=${process.env['BIOMED_DEMO_VQA_IMAGES']}: expected a positive integer`,
    );
  }
  return demoVqaCounts(seed, count, options as CountVqaOption[]);
}

/**
 * The VQA demo as imported (seed: the demo seed), optionally with another image count (bench): the
 * counting questions (presence, size, how many; no left/right or upper/lower word, which no CPU
 * rung learns to bind to an image position in the demo's budget, bench/RESULTS.md session 28), under
 * which `biomed demo`'s accuracy rises with scale at seeds 1-3 (issue 25; session 29).
 */
export function phantomVqa(seed: number, images?: number): ParsedDataset {
  return vqaOverride(seed + 1, images) ?? demoVqaCounts(seed + 1, images ?? DEMO_VQA_IMAGES, []);
}

/** A demo dataset generator. */
export interface DemoDataset {
  readonly id: string;
  generate(seed: number): ParsedDataset;
}

/** One demo dataset per task type; deterministic from the seed, small enough to import in seconds. */
export const DEMO_DATASETS: readonly DemoDataset[] = [
  { id: 'phantom-classification', generate: (s) => demoClassification(s) },
  { id: 'phantom-vqa-counts', generate: (s) => phantomVqa(s) },
  { id: 'phantom-captioning', generate: (s) => demoCaptioning(s + 2) },
  { id: 'notes-nli', generate: (s) => demoNli(s + 3) },
  { id: 'notes-summarization', generate: (s) => demoSummarization(s + 4) },
  { id: 'notes-qa', generate: (s) => demoQa(s + 5) },
  { id: 'instruction-mixture', generate: (s) => demoInstruction(s + 6) },
];
