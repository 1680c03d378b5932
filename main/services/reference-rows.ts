import { WorkbenchError } from '#shared/api/errors';
import { datasetKey } from '#shared/domain/reference-row';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import type { Handlers } from './handler';

/** `referenceRows.*`: published figures (read-only data in shared/) and the user's own rows. */
export const referenceRowHandlers: Handlers<
  'referenceRows.list' | 'referenceRows.add' | 'referenceRows.delete'
> = {
  'referenceRows.list': ({ datasets, mode, origin }, ctx) => {
    const keys = datasets ? new Set(datasets.map(datasetKey)) : null;
    return [...PUBLISHED_REFERENCE_ROWS, ...ctx.store.referenceRows.list()].filter(
      (r) =>
        (!keys || keys.has(datasetKey(r.dataset))) &&
        (!mode || r.mode === mode) &&
        (!origin || r.origin === origin),
    );
  },
  'referenceRows.add': (input, ctx) => ctx.store.referenceRows.insert(input),
  'referenceRows.delete': ({ id }, ctx) => {
    if (PUBLISHED_REFERENCE_ROWS.some((r) => r.id === id))
      throw new WorkbenchError(
        'conflict',
        'Published reference rows ship with the app and cannot be deleted.',
        'id',
      );
    if (!ctx.store.referenceRows.delete(id))
      throw new WorkbenchError('not_found', `No reference row with id "${id}"`, 'id');
    return { id };
  },
};
