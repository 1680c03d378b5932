import { z } from 'zod';
import type { MetricId } from './domain/metric';
import {
  TASK_DECODING,
  TASK_HYPERPARAMETERS,
  type TaskDecoding,
  type TaskHyperparameters,
} from './task-hyperparameters';

export { MetricId } from './domain/metric';
export type { TaskDecoding, TaskHyperparameters } from './task-hyperparameters';

/** The task types of the BiomedGPT papers, plus instruction following. */
export const TASK_IDS = [
  'image_classification',
  'text_understanding',
  'summarization',
  'question_answering',
  'vqa',
  'captioning',
  'instruction',
] as const;

/** A task type id. */
export const TaskId = z.enum(TASK_IDS);
export type TaskId = z.infer<typeof TaskId>;

/** Prompt fields of an example, by name (`question`, `organ`, `s1`, `source`, ...). */
export type TaskInputs = Readonly<Record<string, string>>;

/** An example in instruction form, for instruction-tuning mixtures. */
export interface InstructionForm {
  readonly instruction: string;
  readonly input: string;
  readonly output: string;
}

/** One entry of the task registry: how an example of this task becomes a seq2seq pair. */
export interface TaskDefinition {
  readonly id: TaskId;
  readonly label: string;
  readonly description: string;
  /** Whether examples carry an image. */
  readonly image: 'required' | 'optional' | 'none';
  /** Names of the prompt fields; the first ones are required. */
  readonly inputFields: readonly string[];
  readonly requiredFields: readonly string[];
  /** `closed`: the answer is one of a candidate set; `open`: free text; `mixed`: per example. */
  readonly answers: 'closed' | 'open' | 'mixed';
  readonly metrics: readonly MetricId[];
  readonly hyperparameters: TaskHyperparameters;
  readonly decoding: TaskDecoding;
  /** The source text the model reads (spec §2.2; OFA prompts start with a space). */
  prompt(inputs: TaskInputs): string;
  /** The stored form of a reference answer. */
  formatTarget(raw: string): string;
  /** The same example as an instruction (instruction, input, output). */
  instructionForm(inputs: TaskInputs, target: string, candidates?: readonly string[]): InstructionForm;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** OFA's `pre_question`: lower-case, strip leading punctuation, `-` and `/` to spaces, no trailing `?`. */
export function preQuestion(question: string): string {
  const q = collapse(
    question
      .toLowerCase()
      .replace(/^[,.!?*#:;~]+/, '')
      .replace(/[-/]/g, ' '),
  );
  return q.replace(/\?+$/, '').trimEnd();
}

/** OFA's `pre_caption`-like cleaning of free text: collapse whitespace, strip tabs. */
export function preText(text: string): string {
  return collapse(text.replace(/\t/g, ' '));
}

/** Answers and class names are compared lower-cased, single-spaced. */
export function normaliseAnswer(answer: string): string {
  return collapse(answer.replace(/\t/g, '').toLowerCase());
}

const DESCRIBE = ' what does the image describe?';
const field = (inputs: TaskInputs, name: string): string => inputs[name] ?? '';
const choices = (c?: readonly string[]): string => (c && c.length > 0 ? ` Options: ${c.join(', ')}.` : '');

const definitions: readonly TaskDefinition[] = [
  {
    id: 'image_classification',
    label: 'Image classification',
    description: 'Name the class an image shows (MedMNIST, image folders); decoded over the class names.',
    image: 'required',
    inputFields: [],
    requiredFields: [],
    answers: 'closed',
    metrics: ['accuracy', 'macro_f1', 'auroc'],
    hyperparameters: TASK_HYPERPARAMETERS.image_classification,
    decoding: TASK_DECODING.image_classification,
    prompt: () => DESCRIBE,
    formatTarget: normaliseAnswer,
    instructionForm: (_i, target, c) => ({
      instruction: `Which class does this medical image belong to?${choices(c)}`,
      input: '',
      output: target,
    }),
  },
  {
    id: 'text_understanding',
    label: 'Text understanding (NLI)',
    description: 'Does text1 imply text2? MedNLI-style inference, answered yes / no / maybe.',
    image: 'none',
    inputFields: ['s1', 's2'],
    requiredFields: ['s1', 's2'],
    answers: 'closed',
    metrics: ['accuracy', 'macro_f1'],
    hyperparameters: TASK_HYPERPARAMETERS.text_understanding,
    decoding: TASK_DECODING.text_understanding,
    prompt: (i) => ` can text1 " ${preText(field(i, 's1'))} " imply text2 " ${preText(field(i, 's2'))} "?`,
    formatTarget: normaliseAnswer,
    instructionForm: (i, target) => ({
      instruction: 'Does the first clinical statement imply the second? Answer yes, no or maybe.',
      input: `${field(i, 's1')}\n${field(i, 's2')}`,
      output: target,
    }),
  },
  {
    id: 'summarization',
    label: 'Summarization',
    description:
      'Summarise a consumer health question or a clinical text (MeQSum, HealthCareMagic, iCliniq).',
    image: 'none',
    inputFields: ['source'],
    requiredFields: ['source'],
    answers: 'open',
    metrics: ['rouge1', 'rouge2', 'rougeL'],
    hyperparameters: TASK_HYPERPARAMETERS.summarization,
    decoding: TASK_DECODING.summarization,
    prompt: (i) => ` what is the summary of article " ${preText(field(i, 'source'))} "?`,
    formatTarget: preText,
    instructionForm: (i, target) => ({
      instruction: 'Summarize the following text in one sentence.',
      input: field(i, 'source'),
      output: target,
    }),
  },
  {
    id: 'question_answering',
    label: 'Question answering',
    description:
      'Answer a question from a given context (PubMedQA). The repo has no prompt for it; the ' +
      'workbench uses the answer-verification style of spec §2.1: ' +
      '` what is the answer to question " {question} " given context " {context} "?`.',
    image: 'none',
    inputFields: ['question', 'context'],
    requiredFields: ['question'],
    answers: 'mixed',
    metrics: ['accuracy', 'macro_f1'],
    hyperparameters: TASK_HYPERPARAMETERS.question_answering,
    decoding: TASK_DECODING.question_answering,
    prompt: (i) =>
      i.context
        ? ` what is the answer to question " ${preText(field(i, 'question'))} " given context " ${preText(field(i, 'context'))} "?`
        : ` what is the answer to question " ${preText(field(i, 'question'))} "?`,
    formatTarget: normaliseAnswer,
    instructionForm: (i, target, c) => ({
      instruction: `Answer the question using the context.${choices(c)}`,
      input: `Question: ${field(i, 'question')}\nContext: ${field(i, 'context')}`,
      output: target,
    }),
  },
  {
    id: 'vqa',
    label: 'Visual question answering',
    description: 'Answer a question about an image; closed questions are decoded over the answer set.',
    image: 'required',
    inputFields: ['question', 'organ'],
    requiredFields: ['question'],
    answers: 'mixed',
    metrics: ['accuracy', 'accuracy_closed', 'accuracy_open'],
    hyperparameters: TASK_HYPERPARAMETERS.vqa,
    decoding: TASK_DECODING.vqa,
    // "Even when it is empty, ' object: ' is still appended" (spec §4.1).
    prompt: (i) => ` ${preQuestion(field(i, 'question'))}? object: ${field(i, 'organ').toLowerCase()}`,
    formatTarget: normaliseAnswer,
    instructionForm: (i, target) => ({
      instruction: 'Answer the question about the medical image.',
      input: field(i, 'question'),
      output: target,
    }),
  },
  {
    id: 'captioning',
    label: 'Captioning',
    description: 'Describe an image in a sentence or a report (IU X-ray, PEIR Gross, ROCO).',
    image: 'required',
    inputFields: [],
    requiredFields: [],
    answers: 'open',
    metrics: ['rougeL', 'cider', 'bleu1', 'bleu2', 'bleu3', 'bleu4', 'meteor'],
    hyperparameters: TASK_HYPERPARAMETERS.captioning,
    decoding: TASK_DECODING.captioning,
    prompt: () => DESCRIBE,
    formatTarget: preText,
    instructionForm: (_i, target) => ({
      instruction: 'Describe the findings in this medical image.',
      input: '',
      output: target,
    }),
  },
  {
    id: 'instruction',
    label: 'Instruction following',
    description: 'Free-form instruction, optional input and image (generic JSONL, LLaVA-Med conversations).',
    image: 'optional',
    inputFields: ['instruction', 'input'],
    requiredFields: ['instruction'],
    answers: 'open',
    metrics: ['rougeL', 'bleu1', 'bleu4', 'meteor', 'alignment_accuracy'],
    hyperparameters: TASK_HYPERPARAMETERS.instruction,
    decoding: TASK_DECODING.instruction,
    prompt: (i) => {
      const input = field(i, 'input').trim();
      return ` ${field(i, 'instruction').trim()}${input ? `\n${input}` : ''}`;
    },
    formatTarget: (raw) => raw.trim(),
    instructionForm: (i, target) => ({
      instruction: field(i, 'instruction'),
      input: field(i, 'input'),
      output: target,
    }),
  },
];

/** The frozen task registry, by id. */
export const TASKS: Readonly<Record<TaskId, TaskDefinition>> = Object.freeze(
  Object.fromEntries(definitions.map((d) => [d.id, Object.freeze(d)])) as Record<TaskId, TaskDefinition>,
);

/** The definition of a task id (throws on an unknown id: ids come from validated data). */
export function taskOf(id: string): TaskDefinition {
  const def = (TASKS as Record<string, TaskDefinition | undefined>)[id];
  if (!def) throw new Error(`Unknown task "${id}" (known: ${TASK_IDS.join(', ')})`);
  return def;
}

/** The source text of an example of `task` with these prompt fields. */
export function buildPrompt(task: TaskId | string, inputs: TaskInputs): string {
  return taskOf(task).prompt(inputs);
}

/** Candidate answers of the closed-answer examples of a dataset: distinct targets, sorted. */
export function candidateSet(targets: Iterable<string>): string[] {
  return [...new Set(targets)].sort();
}

/** The instruction form of any example (for instruction-tuning mixtures). */
export function toInstruction(
  task: TaskId | string,
  inputs: TaskInputs,
  target: string,
  candidates?: readonly string[],
): InstructionForm {
  return taskOf(task).instructionForm(inputs, target, candidates);
}
