import type { Decoding, EvaluationPipeline, PipelinePreset } from './domain/evaluation';
import { type TaskId, taskOf } from './tasks';

/**
 * Each task's figures as its released BiomedGPT script computes them (spec §2.2 "Decoding and
 * metrics", §3): captioning ROUGE-L (pycocoevalcap) and CIDEr-D after `_bioclean`, with
 * `eval_caption`'s punctuation strip of generated captions (`scripts/caption/metric_caption.py`);
 * summarisation ROUGE-1/2/L F with the Porter stemmer (`eval_rouge.py`); VQA and the closed-answer
 * tasks exact match against references lower-cased and tab-stripped as the scripts preprocess
 * them (`utils/eval_utils.py`). Tasks without a released script keep the workbench's figures.
 */
const RELEASED: Partial<Record<TaskId, Omit<EvaluationPipeline, 'preset'>>> = {
  captioning: {
    metrics: ['rougeL_coco', 'cider'],
    textNormalization: 'biomedgpt-caption',
    answerNormalization: 'workbench',
    script: 'scripts/caption/metric_caption.py',
  },
  summarization: {
    metrics: ['rouge1', 'rouge2', 'rougeL'],
    textNormalization: 'none',
    answerNormalization: 'workbench',
    script: 'scripts/text_sum/eval_rouge.py',
  },
  vqa: {
    metrics: ['accuracy', 'accuracy_closed', 'accuracy_open'],
    textNormalization: 'none',
    answerNormalization: 'biomedgpt',
    script: 'utils/eval_utils.py (eval_vqa_gen)',
  },
  image_classification: {
    metrics: ['accuracy', 'macro_f1', 'auroc'],
    textNormalization: 'none',
    answerNormalization: 'biomedgpt',
    script: 'utils/eval_utils.py (exact match)',
  },
  text_understanding: {
    metrics: ['accuracy', 'macro_f1'],
    textNormalization: 'none',
    answerNormalization: 'biomedgpt',
    script: 'utils/eval_utils.py (exact match)',
  },
};

/** The pipeline of a preset for a task: `released` (the default) or `raw` (raw text, the task's full metric list). */
export function evaluationPipeline(task: string, preset: PipelinePreset = 'released'): EvaluationPipeline {
  const t = taskOf(task);
  const released = RELEASED[t.id];
  if (preset === 'released' && released) return { preset, ...released, metrics: [...released.metrics] };
  return {
    preset: 'raw',
    metrics: [...t.metrics],
    textNormalization: 'none',
    answerNormalization: 'workbench',
    script: null,
  };
}

/** One line saying how the figures were computed, shown beside them. */
export function describePipeline(p: EvaluationPipeline | null): string {
  if (!p) return 'raw text (recorded before pipelines were stored)';
  const norm =
    p.textNormalization === 'none'
      ? ''
      : p.textNormalization === 'bioclean'
        ? '_bioclean'
        : '_bioclean + punctuation strip';
  const answers = p.answerNormalization === 'biomedgpt' ? 'answers lower-cased, tabs stripped' : '';
  const variant = p.metrics.includes('rougeL_coco')
    ? 'ROUGE-L: pycocoevalcap'
    : p.metrics.includes('rougeL')
      ? 'ROUGE: rouge-score, stemmer'
      : '';
  const head = p.preset === 'released' && p.script ? `as ${p.script}` : 'raw text';
  return [head, norm, answers, variant].filter(Boolean).join('; ');
}

/** The decoding in a few words: "beam 5, max 16, no-repeat 3, lenpen 0.7". */
export function describeDecoding(d: Decoding): string {
  return [
    d.strategy === 'beam' ? `beam ${d.beam}` : d.strategy,
    `max ${d.maxLength}`,
    d.noRepeatNgram ? `no-repeat ${d.noRepeatNgram}` : '',
    d.lenpen !== 1 ? `lenpen ${d.lenpen}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The pipeline in a table cell: preset, normalisation, metric variant ("released: _bioclean +
 * punct., ROUGE-L coco"; "raw text"). `describePipeline` is the full sentence (its title).
 */
export function pipelineLabel(p: EvaluationPipeline | null): string {
  if (!p) return 'raw text (older)';
  const parts = [
    p.textNormalization === 'bioclean'
      ? '_bioclean'
      : p.textNormalization === 'biomedgpt-caption'
        ? '_bioclean + punct.'
        : '',
    p.answerNormalization === 'biomedgpt' ? 'lower-cased, tabs stripped' : '',
    p.metrics.includes('rougeL_coco') ? 'ROUGE-L coco' : p.metrics.includes('rougeL') ? 'ROUGE stemmer' : '',
  ].filter(Boolean);
  const head = p.preset === 'released' ? 'released' : 'raw text';
  return parts.length ? `${head}: ${parts.join(', ')}` : head;
}
