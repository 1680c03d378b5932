import { z } from 'zod';

/** One point of a metric series (loss, learning rate, gradient norm, throughput, validation scores). */
export const MetricPoint = z.object({ step: z.number().int(), value: z.number(), wallTime: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

/** A named series of points for one run. */
export const MetricSeries = z.object({ name: z.string(), points: z.array(MetricPoint) });
export type MetricSeries = z.infer<typeof MetricSeries>;

/** Metric ids computed by main/eval and stored per evaluation. */
export const MetricId = z.enum([
  'accuracy',
  'accuracy_closed',
  'accuracy_open',
  'macro_f1',
  'auroc',
  'label_auroc',
  'label_accuracy',
  'mae',
  'bleu1',
  'bleu2',
  'bleu3',
  'bleu4',
  'rouge1',
  'rouge2',
  'rougeL',
  'rougeL_coco',
  'meteor',
  'cider',
  'alignment_accuracy',
]);
export type MetricId = z.infer<typeof MetricId>;
