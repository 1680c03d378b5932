import { z } from 'zod';

/** One point of a metric series (loss, learning rate, gradient norm, throughput, validation scores). */
export const MetricPoint = z.object({ step: z.number().int(), value: z.number(), wallTime: z.number() });
export type MetricPoint = z.infer<typeof MetricPoint>;

/** A named series of points for one run. */
export const MetricSeries = z.object({ name: z.string(), points: z.array(MetricPoint) });
export type MetricSeries = z.infer<typeof MetricSeries>;
