import { z } from 'zod';
import { method } from './define';

/** Housekeeping of the run history (History's multi-select). */
export const runAdminMethods = {
  'runs.delete': method(
    z.object({ id: z.string().min(1) }).strict(),
    z.object({ id: z.string(), filesRemoved: z.boolean() }),
    'Delete a finished run with its metrics, checkpoints, evaluations and files',
  ),
};
