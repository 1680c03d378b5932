import type { MethodName } from '#shared/api/contract';
import { appHandlers } from './app';
import { clusterHandlers } from './clusters';
import { datasetHandlers } from './datasets';
import { evaluationHandlers } from './evaluations';
import { experimentHandlers } from './experiments';
import type { Handlers } from './handler';
import { referenceRowHandlers } from './reference-rows';
import { reproduceHandlers } from './reproduce';
import { runAdminHandlers } from './run-admin';
import { runExportHandlers } from './run-export';
import { runLifecycleHandlers } from './run-lifecycle';
import { runHandlers } from './runs';
import { settingsHandlers } from './settings';
import { weightsHandlers } from './weights';
import { weightsUsageHandlers } from './weights-usage';

/** Every method's implementation; the type makes a missing method a compile error. */
export const handlers: Handlers<MethodName> = {
  ...appHandlers,
  ...datasetHandlers,
  ...runHandlers,
  ...runAdminHandlers,
  ...runExportHandlers,
  ...referenceRowHandlers,
  ...reproduceHandlers,
  ...weightsUsageHandlers,
  ...settingsHandlers,
  ...runLifecycleHandlers,
  ...experimentHandlers,
  ...evaluationHandlers,
  ...weightsHandlers,
  ...clusterHandlers,
};
