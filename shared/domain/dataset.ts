import { z } from 'zod';

/** The three splits every dataset is organised into. */
export const Split = z.enum(['train', 'validation', 'test']);
export type Split = z.infer<typeof Split>;

/** A dataset as listed in the library. */
export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  format: z.string(),
  task: z.string(),
  synthetic: z.boolean(),
  examples: z.number().int(),
  splits: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;
