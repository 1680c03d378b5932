import { z } from 'zod';
import { MetricId } from '#shared/domain/metric';
import { Split } from './dataset';
import { EvaluationMode } from './evaluation';

/** A reference row as a user enters it: a figure someone published, with where it comes from. */
export const ReferenceRowInput = z
  .object({
    /** The model as the source names it (e.g. "Instruct-BiomedGPT-S"). */
    model: z.string().trim().min(1).max(200),
    /** Models that form one line in the scaling view (e.g. "Instruct-BiomedGPT"); default: the model. */
    family: z.string().trim().max(200).nullable().default(null),
    /** A workbench scale name when the model is a BiomedGPT size (S, M, Base, Large, XLarge). */
    scale: z.string().trim().max(40).nullable().default(null),
    /** Parameters (the scaling view's x axis); null when the source does not say. */
    params: z.number().int().positive().nullable().default(null),
    /** Dataset as the source names it (matched to local datasets by name, ignoring case and punctuation). */
    dataset: z.string().trim().min(1).max(200),
    /** Workbench task id, when known (vqa, captioning, ...). */
    task: z.string().trim().max(60).nullable().default(null),
    split: Split.default('test'),
    mode: EvaluationMode,
    metric: MetricId,
    /** The metric's name in the source when it differs from the workbench's ("context-related accuracy"). */
    metricLabel: z.string().trim().max(200).nullable().default(null),
    /** In the workbench's units: accuracies as fractions (71.6% -> 0.716), CIDEr-D as main/eval computes it. */
    value: z.number().finite(),
    /** The figure as printed in the source ("71.6", "85.24 / 86.1"). */
    valueText: z.string().trim().max(100).nullable().default(null),
    /** Examples the figure is over. */
    n: z.number().int().positive().nullable().default(null),
    /** Where the figure comes from: required. */
    citation: z.string().trim().min(3, 'a citation is required (paper, table, URL, ...)').max(500),
    url: z.string().trim().url().max(500).nullable().default(null),
    /** Quoted by others, not read in the source itself: shown as "as quoted". */
    asQuoted: z.boolean().default(false),
    note: z.string().trim().max(2000).default(''),
  })
  .strict();
export type ReferenceRowInput = z.input<typeof ReferenceRowInput>;

/** A reference row as listed: published (shipped with the app, read-only) or the user's own. */
export const ReferenceRow = ReferenceRowInput.extend({
  id: z.string(),
  origin: z.enum(['published', 'user']),
  createdAt: z.string().nullable(),
});
export type ReferenceRow = z.infer<typeof ReferenceRow>;

/** Dataset names compared without case or punctuation ("VQA-RAD" = "vqa_rad" = "VQA RAD"). */
export function datasetKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
