import { z } from 'zod';
import { method } from './define';

/** Input of `runs.export`: a run, which checkpoint, and where (default: under the run's folder). */
export const RunExportRequest = z
  .object({
    id: z.string().min(1),
    /** The checkpoint at this step; default: the best evaluated one, else the last. */
    step: z.number().int().min(0).optional(),
    /** Absolute folder to create; it must not exist or be empty. Default: `runs/<id>/export-step-N`. */
    outDir: z.string().min(1).optional(),
  })
  .strict();
export type RunExportRequest = z.input<typeof RunExportRequest>;

/** What `runs.export` wrote (docs/export.md). */
export const RunExportResult = z.object({
  runId: z.string(),
  step: z.number().int(),
  /** Why this checkpoint: the step asked for, the best evaluated one, or the last. */
  chosen: z.enum(['step', 'best', 'last']),
  /** Metric and value that made it the best (chosen = best). */
  bestMetric: z.object({ name: z.string(), value: z.number() }).nullable(),
  dir: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int() })),
  /** Tensors in model.safetensors: the whole fairseq state dict. */
  tensors: z.number().int(),
});
export type RunExportResult = z.infer<typeof RunExportResult>;

/** Export of a run's checkpoint for PyTorch. */
export const runExportMethods = {
  'runs.export': method(
    RunExportRequest,
    RunExportResult,
    "Export a run's checkpoint as fairseq-named safetensors plus a Hugging Face OFA config.json",
  ),
};
