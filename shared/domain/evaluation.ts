import { z } from 'zod';
import { ClusterRunInfo } from './cluster';
import { Split } from './dataset';
import { RunStatus } from './run';

/**
 * How answers are decoded (spec §2.2): free `greedy` or `beam` search, `trie` = greedy restricted
 * to the candidate answers, `allcand` = every candidate scored by summed log-probability.
 */
export const DecodingStrategy = z.enum(['greedy', 'beam', 'trie', 'allcand']);
export type DecodingStrategy = z.infer<typeof DecodingStrategy>;

/** Decoding settings of one evaluation. */
export const Decoding = z
  .object({
    strategy: DecodingStrategy,
    beam: z.number().int().min(1).max(20).default(1),
    /** Longest answer, in tokens (fairseq max_len_b). */
    maxLength: z.number().int().min(1).max(512).default(16),
    noRepeatNgram: z.number().int().min(0).max(10).default(0),
    lenpen: z.number().min(0).max(5).default(1),
  })
  .strict();
export type Decoding = z.output<typeof Decoding>;

/** `finetuned`: a split of the data the model was tuned on; `zeroshot`: a dataset it never saw. */
export const EvaluationMode = z.enum(['finetuned', 'zeroshot']);
export type EvaluationMode = z.infer<typeof EvaluationMode>;

/** One metric with its percentile bootstrap 95% confidence interval. */
export const MetricWithCi = z.object({
  estimate: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  /** Examples the metric is defined on (e.g. only CLOSED questions for accuracy_closed). */
  n: z.number().int(),
});
export type MetricWithCi = z.infer<typeof MetricWithCi>;

/** Text normalisation before the text-generation metrics (main/eval/normalize.ts). */
export const TextNormalization = z.enum(['none', 'bioclean', 'biomedgpt-caption']);
export type TextNormalization = z.infer<typeof TextNormalization>;

/**
 * Answer normalisation before exact match: `workbench` lower-cases, collapses whitespace and drops
 * trailing punctuation; `biomedgpt` is the released scripts' (lower-case, tabs removed, stripped).
 */
export const AnswerNormalization = z.enum(['workbench', 'biomedgpt']);
export type AnswerNormalization = z.infer<typeof AnswerNormalization>;

/** `released`: each task's figures as its released script computes them; `raw`: raw-text figures. */
export const PipelinePreset = z.enum(['released', 'raw']);
export type PipelinePreset = z.infer<typeof PipelinePreset>;

/** How an evaluation turned predictions into figures (its decoding is `EvaluationSummary.decoding`). */
export const EvaluationPipeline = z
  .object({
    preset: PipelinePreset,
    /** Metric ids, variant included (`rougeL_coco` = pycocoevalcap, `rougeL` = rouge-score with stemmer). */
    metrics: z.array(z.string()),
    textNormalization: TextNormalization,
    answerNormalization: AnswerNormalization,
    /** The released script the figures follow, or null. */
    script: z.string().nullable(),
    /** The reference row this evaluation reproduces (`referenceRows.reproduce`), if any. */
    reproduces: z.string().nullable().optional(),
  })
  .strict();
export type EvaluationPipeline = z.infer<typeof EvaluationPipeline>;

/** An evaluation as listed and returned by `evaluations.get`. */
export const EvaluationSummary = z.object({
  id: z.string(),
  runId: z.string().nullable(),
  experimentId: z.string().nullable(),
  checkpointId: z.number().int().nullable(),
  checkpointStep: z.number().int().nullable(),
  /** Imported weights evaluated directly, without a run (then `runId` is null). */
  weightsId: z.string().nullable().default(null),
  weightsName: z.string().nullable().default(null),
  datasetId: z.string(),
  datasetName: z.string().nullable(),
  split: Split,
  mode: EvaluationMode,
  status: RunStatus,
  decoding: Decoding,
  /** How the figures were computed; null for evaluations stored before pipelines were recorded (raw text). */
  pipeline: EvaluationPipeline.nullable().default(null),
  metrics: z.record(z.string(), MetricWithCi),
  done: z.number().int(),
  total: z.number().int().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  logTail: z.string(),
  /** The Slurm job of an evaluation decoded on a cluster (its newest submission); null: here. */
  cluster: ClusterRunInfo.nullable().default(null),
});
export type EvaluationSummary = z.infer<typeof EvaluationSummary>;

/** One stored prediction beside its reference and the inputs the model read. */
export const PredictionView = z.object({
  exampleId: z.number().int(),
  ordinal: z.number().int(),
  /** The source text fed to the encoder. */
  source: z.string(),
  inputs: z.record(z.string(), z.string()),
  imageHash: z.string().nullable(),
  prediction: z.string(),
  reference: z.string(),
  correct: z.boolean().nullable(),
  /** Summed log-probability of the prediction. */
  score: z.number().nullable(),
  answerType: z.string().nullable(),
});
export type PredictionView = z.infer<typeof PredictionView>;
