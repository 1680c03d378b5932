import type { Handlers } from './handler';

/** `datasets.*`: the dataset library. */
export const datasetHandlers: Handlers<'datasets.list'> = {
  'datasets.list': (_input, ctx) => ctx.store.datasets.list(),
};
