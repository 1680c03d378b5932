import { z } from 'zod';
import { WeightsDetection, WeightsLoadReport, WeightsRecord } from '#shared/domain/weights';
import { method } from './define';

/** Input of `weights.import`. */
export const WeightsImportRequest = z
  .object({
    /** A `.pt`, `pytorch_model.bin` or `.safetensors` file on the machine running the main process. */
    path: z.string().min(1),
    /** fairseq `dict.txt` (default: a `dict.txt` beside the weights). */
    dictPath: z.string().min(1).optional(),
    /** Display name (default: the file name). */
    name: z.string().trim().min(1).max(200).optional(),
    /** Read, detect and report; store nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict();
export type WeightsImportRequest = z.input<typeof WeightsImportRequest>;

/**
 * Reply of `weights.import`. A dry run reports even a file that would not load (`ok` false);
 * a real import of such a file fails with an error naming the keys, and stores nothing.
 */
export const WeightsImportResult = z.object({
  ok: z.boolean(),
  dryRun: z.boolean(),
  detection: WeightsDetection,
  report: WeightsLoadReport,
  /** The stored record (null for a dry run). */
  record: WeightsRecord.nullable(),
});
export type WeightsImportResult = z.infer<typeof WeightsImportResult>;

const WeightsId = z.object({ id: z.string().min(1) }).strict();

/** Methods over imported (published) weights. */
export const weightsMethods = {
  'weights.import': method(
    WeightsImportRequest,
    WeightsImportResult,
    'Import published BiomedGPT / OFA weights (fairseq .pt, pytorch_model.bin, safetensors)',
  ),
  'weights.list': method(z.object({}).strict(), z.array(WeightsRecord), 'Every imported weights file'),
  'weights.get': method(WeightsId, WeightsRecord, 'One imported weights file with its load report'),
  'weights.delete': method(
    WeightsId,
    z.object({ id: z.string(), bytesRemoved: z.number().int() }),
    'Delete imported weights and their stored file',
  ),
};
