import type { z } from 'zod';
import { ImportProgressEvent } from '#shared/domain/dataset';
import { WeightsImportProgressEvent } from '#shared/domain/weights';
import { appMethods } from './app';
import { clusterMethods } from './clusters';
import { datasetMethods } from './datasets';
import { evaluationMethods } from './evaluations';
import { experimentMethods } from './experiments';
import { referenceRowMethods } from './reference-rows';
import { runAdminMethods } from './run-admin';
import { runExportMethods } from './run-export';
import { EvaluationChangeEvent, RunProgressEvent, runLifecycleMethods } from './run-lifecycle';
import { RunChangeEvent, runMethods } from './runs';
import { settingsMethods } from './settings';
import { weightsMethods } from './weights';
import { weightsUsageMethods } from './weights-usage';

/**
 * The workbench API, declared once. Both transports (Electron IPC and the browser-mode
 * WebSocket) carry exactly these methods and events, validated by these schemas.
 */
export const methods = {
  ...appMethods,
  ...datasetMethods,
  ...runMethods,
  ...runAdminMethods,
  ...runExportMethods,
  ...referenceRowMethods,
  ...weightsUsageMethods,
  ...settingsMethods,
  ...runLifecycleMethods,
  ...experimentMethods,
  ...evaluationMethods,
  ...weightsMethods,
  ...clusterMethods,
};

/** Events pushed from the main process to every window, named `onDidX` as VS Code does. */
export const events = {
  onDidChangeRun: RunChangeEvent,
  onDidImportProgress: ImportProgressEvent,
  onDidRunProgress: RunProgressEvent,
  onDidChangeEvaluation: EvaluationChangeEvent,
  onDidWeightsImportProgress: WeightsImportProgressEvent,
};

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Events = typeof events;
export type EventName = keyof Events;

/** What a caller passes (defaults still optional). */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a service receives after validation (defaults applied). */
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
/** What a method returns. */
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
/** The payload of an event. */
export type EventPayload<E extends EventName> = z.output<Events[E]>;

/** The object the renderer sees as `window.workbench`, whichever transport builds it. */
export interface WorkbenchApi {
  invoke<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** True when `name` is a declared method (for transports validating untrusted input). */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(methods, name);
}
