import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { WorkbenchError } from '#shared/api/errors';
import type { Handlers } from './handler';

/** `runs.delete`: removes a run that is not queued or running, and its folder of checkpoints. */
export const runAdminHandlers: Handlers<'runs.delete'> = {
  'runs.delete': ({ id }, ctx) => {
    const run = ctx.store.runs.get(id);
    if (!run) throw new WorkbenchError('not_found', `No run with id "${id}"`, 'id');
    if (run.status === 'running' || run.status === 'queued') {
      throw new WorkbenchError(
        'conflict',
        `"${run.name}" is ${run.status}; cancel it before deleting it.`,
        'id',
      );
    }
    ctx.store.runs.delete(id);
    const dir = join(ctx.home.runs, id);
    const filesRemoved = existsSync(dir);
    if (filesRemoved) rmSync(dir, { recursive: true, force: true });
    ctx.events.emit('onDidChangeRun', { kind: 'deleted', runId: id });
    return { id, filesRemoved };
  },
};
