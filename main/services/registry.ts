import type { MethodName } from '#shared/api/contract';
import { appHandlers } from './app';
import { datasetHandlers } from './datasets';
import type { Handlers } from './handler';
import { runHandlers } from './runs';

/** Every method's implementation; the type makes a missing method a compile error. */
export const handlers: Handlers<MethodName> = {
  ...appHandlers,
  ...datasetHandlers,
  ...runHandlers,
};
