import type { TaskHyperparameterFields } from './domain/hyperparameters';

/** Per-channel normalisation of model inputs (spec §2.2, image preprocessing): (x - mean) / std, x in [0, 1]. */
export const IMAGE_NORMS = {
  half: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
} as const;
export type ImageNorm = keyof typeof IMAGE_NORMS;

/**
 * Fine-tuning defaults of one task (spec §2.2 table). Shared by all: polynomial decay, Adam
 * (0.9, 0.999), weight decay 0.01, grad clip 1.0.
 */
export interface TaskHyperparameters extends Readonly<TaskHyperparameterFields> {
  /** Square input size in pixels; null for text-only tasks. Base uses 384 for VQA. */
  readonly imageSize: number | null;
  /** Per-channel normalisation: mean = std = 0.5, except ImageNet statistics for MedMNIST. */
  readonly imageNorm: 'half' | 'imagenet' | null;
  /** Where the numbers come from (script name), or why they are an assumption. */
  readonly source: string;
}

/** Decoding defaults of one task at evaluation (spec §2.2, decoding and metrics). */
export interface TaskDecoding {
  readonly beam: number;
  readonly maxLenB: number;
  readonly noRepeatNgram: number;
  readonly lenpen: number;
  /** Restrict decoding to the candidate answers (trie) when the example has them. */
  readonly constrained: boolean;
}

const common = { weightDecay: 0.01, gradClip: 1.0 } as const;

/** Per-task fine-tuning defaults, by task id. */
export const TASK_HYPERPARAMETERS = {
  vqa: {
    ...common,
    lr: 5e-5,
    epochs: 100,
    warmupRatio: 0.04,
    labelSmoothing: 0.1,
    maxSrcLength: 80,
    maxTgtLength: 40,
    imageSize: 256,
    imageNorm: 'half',
    source: 'scripts/vqa/train_vqa_rad_beam_scale.sh (S,M 256 px; B 384 px)',
  },
  captioning: {
    ...common,
    lr: 1e-5,
    epochs: 100,
    warmupRatio: 0.06,
    labelSmoothing: 0.1,
    maxSrcLength: 80,
    maxTgtLength: 20,
    imageSize: 480,
    imageNorm: 'half',
    source: 'scripts/caption/train_peir_gross.sh',
  },
  image_classification: {
    ...common,
    lr: 5e-5,
    epochs: 5,
    warmupRatio: 0.6,
    labelSmoothing: 0.1,
    maxSrcLength: 128,
    maxTgtLength: 64,
    imageSize: 384,
    imageNorm: 'imagenet',
    source: 'scripts/image_cls/train_medmnist.sh',
  },
  text_understanding: {
    ...common,
    lr: 7e-5,
    epochs: 200,
    warmupRatio: 0.06,
    labelSmoothing: 0,
    maxSrcLength: 512,
    maxTgtLength: 30,
    imageSize: null,
    imageNorm: null,
    source: 'scripts/mednli/train_mednli.sh',
  },
  summarization: {
    ...common,
    lr: 1e-3,
    epochs: 300,
    warmupRatio: 0.06,
    labelSmoothing: 0.1,
    maxSrcLength: 512,
    maxTgtLength: 128,
    imageSize: null,
    imageNorm: null,
    source: 'scripts/text_sum/train_meqsum.sh (loop value 1e-3; 5e-5 declared earlier)',
  },
  question_answering: {
    ...common,
    lr: 7e-5,
    epochs: 200,
    warmupRatio: 0.06,
    labelSmoothing: 0,
    maxSrcLength: 512,
    maxTgtLength: 30,
    imageSize: null,
    imageNorm: null,
    source: 'assumed: the repo has no PubMedQA script (spec §3); MedNLI settings reused',
  },
  instruction: {
    ...common,
    lr: 5e-5,
    epochs: 20,
    warmupRatio: 0.01,
    labelSmoothing: 0,
    maxSrcLength: 80,
    maxTgtLength: 30,
    imageSize: 256,
    imageNorm: 'half',
    source: 'assumed: the instruction-tuning script is not published; pretraining tiny script (spec §2.1)',
  },
} as const satisfies Record<string, TaskHyperparameters>;

/** Per-task decoding defaults, by task id. */
export const TASK_DECODING = {
  vqa: { beam: 1, maxLenB: 40, noRepeatNgram: 0, lenpen: 1, constrained: true },
  captioning: { beam: 10, maxLenB: 32, noRepeatNgram: 3, lenpen: 1, constrained: false },
  image_classification: { beam: 1, maxLenB: 64, noRepeatNgram: 0, lenpen: 1, constrained: true },
  text_understanding: { beam: 1, maxLenB: 30, noRepeatNgram: 0, lenpen: 1, constrained: true },
  summarization: { beam: 5, maxLenB: 128, noRepeatNgram: 3, lenpen: 0.7, constrained: false },
  question_answering: { beam: 1, maxLenB: 30, noRepeatNgram: 0, lenpen: 1, constrained: true },
  instruction: { beam: 5, maxLenB: 64, noRepeatNgram: 3, lenpen: 1, constrained: false },
} as const satisfies Record<string, TaskDecoding>;
