import type { ReferenceRow } from '#shared/domain/reference-row';

/**
 * Published BiomedGPT figures (../shared/spec/published-results.md), shipped as read-only
 * reference rows with their sources. Values are in the workbench's units (accuracy 71.6% ->
 * 0.716; CIDEr 36.0 -> 0.360, main/eval's CIDEr-D scale); `valueText` is the figure as printed.
 * Nothing here is measured by the workbench. The 2025 paper (arXiv 2505.17436, Large / XLarge)
 * publishes no per-dataset numbers in the material available, so it has no rows.
 */

const INSTRUCT_SOURCE =
  'taokz/BiomedGPT, examples/instruct_biomedgpt.jpg (commit fcc7e8f, 2024-04-24): zero-shot VQA-RAD, 451 test questions; instruction-tuned on 10k LLaVA-Med samples + SLAKE and PathVQA train sets';
const REPO = 'https://github.com/taokz/BiomedGPT';

interface ZeroShot {
  readonly model: string;
  readonly family: string;
  readonly scale: string | null;
  readonly params: number | null;
  readonly accuracy: number;
  readonly correct: number;
  readonly context: number;
}

const ZERO_SHOT: readonly ZeroShot[] = [
  {
    model: 'Instruct-BiomedGPT-S',
    family: 'Instruct-BiomedGPT',
    scale: 'S',
    params: 33e6,
    accuracy: 42.1,
    correct: 190,
    context: 84.3,
  },
  {
    model: 'Instruct-BiomedGPT-M',
    family: 'Instruct-BiomedGPT',
    scale: 'M',
    params: 93e6,
    accuracy: 49.7,
    correct: 224,
    context: 88.7,
  },
  {
    model: 'Instruct-BiomedGPT-B',
    family: 'Instruct-BiomedGPT',
    scale: 'Base',
    params: 182e6,
    accuracy: 52.1,
    correct: 235,
    context: 93.6,
  },
  {
    model: 'OFA-Huge',
    family: 'OFA-Huge',
    scale: null,
    params: 930e6,
    accuracy: 36.1,
    correct: 163,
    context: 89.6,
  },
  {
    model: 'LLaVA-Med',
    family: 'LLaVA-Med',
    scale: null,
    params: 7e9,
    accuracy: 42.1,
    correct: 190,
    context: 99.1,
  },
  {
    model: 'GPT-4V',
    family: 'GPT-4V',
    scale: null,
    params: null,
    accuracy: 42.4,
    correct: 191,
    context: 99.6,
  },
];

const base = {
  split: 'test',
  metricLabel: null,
  n: null,
  url: REPO,
  asQuoted: false,
  note: '',
  origin: 'published',
  createdAt: null,
} as const;

const zeroShotRows: ReferenceRow[] = ZERO_SHOT.flatMap((z) => {
  const slug = z.model.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const common = {
    ...base,
    model: z.model,
    family: z.family,
    scale: z.scale,
    params: z.params,
    dataset: 'VQA-RAD',
    task: 'vqa',
    mode: 'zeroshot' as const,
    n: 451,
    citation: INSTRUCT_SOURCE,
  };
  return [
    {
      ...common,
      id: `published:zeroshot-vqa-rad:${slug}:accuracy`,
      metric: 'accuracy' as const,
      value: z.accuracy / 100,
      valueText: `${z.accuracy}% (${z.correct} / 451)`,
    },
    {
      ...common,
      id: `published:zeroshot-vqa-rad:${slug}:context`,
      metric: 'alignment_accuracy' as const,
      metricLabel: '"context-related accuracy" (how it was judged is not stated)',
      value: z.context / 100,
      valueText: String(z.context),
    },
  ];
});

const PAPER = 'BiomedGPT-Base fine-tuned, 2024 paper (arXiv 2305.17100)';

/** Fine-tuned Base figures: the paper's tables were not readable, these are as quoted by others. */
const quoted = (
  id: string,
  dataset: string,
  task: string,
  metric: 'accuracy' | 'cider',
  value: number,
  valueText: string,
  where: string,
  url: string | null,
  note = '',
): ReferenceRow => ({
  ...base,
  id: `published:base-finetuned:${id}`,
  model: 'BiomedGPT-Base',
  family: 'BiomedGPT (fine-tuned)',
  scale: 'Base',
  params: 182e6,
  dataset,
  task,
  mode: 'finetuned',
  metric,
  value,
  valueText,
  citation: `${PAPER}, as quoted in ${where}`,
  url,
  asQuoted: true,
  note,
});

const fineTunedRows: ReferenceRow[] = [
  quoted(
    'vqa-rad',
    'VQA-RAD',
    'vqa',
    'accuracy',
    0.716,
    '71.6',
    'github.com/taokz/BiomedGPT/issues/6',
    `${REPO}/issues/6`,
  ),
  {
    ...quoted(
      'vqa-rad-released',
      'VQA-RAD',
      'vqa',
      'accuracy',
      0.334,
      '33.4',
      'github.com/taokz/BiomedGPT/issues/6',
      `${REPO}/issues/6`,
      'measured by a user with the released checkpoint, not by the authors',
    ),
    model: 'BiomedGPT-Base (released checkpoint, user measurement)',
    family: 'BiomedGPT-Base (user measurement)',
    citation: 'A user of the released checkpoint, github.com/taokz/BiomedGPT/issues/6',
  },
  quoted(
    'slake',
    'SLAKE',
    'vqa',
    'accuracy',
    0.8524,
    '85.24 / 86.1',
    'github.com/taokz/BiomedGPT/issues/12',
    `${REPO}/issues/12`,
    'the paper gives two values (85.24 and 86.1); the first is plotted',
  ),
  quoted(
    'pathvqa',
    'PathVQA',
    'vqa',
    'accuracy',
    0.569,
    '56.9 overall',
    'github.com/taokz/BiomedGPT/issues/12',
    `${REPO}/issues/12`,
  ),
  quoted(
    'mednli',
    'MedNLI',
    'text_understanding',
    'accuracy',
    0.8383,
    '83.83',
    'the Papers-with-Code mirror of 2305.17100',
    null,
  ),
  quoted(
    'iu-xray',
    'IU X-ray',
    'captioning',
    'cider',
    0.36,
    '36.0',
    'the Papers-with-Code mirror of 2305.17100',
    null,
  ),
  quoted(
    'organcmnist',
    'OrganCMNIST',
    'image_classification',
    'accuracy',
    0.91,
    '91.0',
    'github.com/taokz/BiomedGPT/issues/54',
    `${REPO}/issues/54`,
  ),
];

/** Every published reference row, read-only (ids start with `published:`). */
export const PUBLISHED_REFERENCE_ROWS: readonly ReferenceRow[] = [...zeroShotRows, ...fineTunedRows];
