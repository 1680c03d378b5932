import {
  isMethodName,
  type MethodName,
  type MethodOutput,
  methods,
  type WorkbenchApi,
} from '#shared/api/contract';
import { describeZodError, WorkbenchError } from '#shared/api/errors';
import type { ServiceContext } from './context';
import type { Handler } from './handler';
import { handlers } from './registry';

/**
 * The single entry point of both transports: checks the method name, validates the input
 * against its schema (errors name the field), runs the handler and validates its output.
 */
export async function dispatch(ctx: ServiceContext, name: unknown, rawInput: unknown): Promise<unknown> {
  if (!isMethodName(name)) {
    throw new WorkbenchError('invalid_input', `Unknown method "${String(name)}"`, 'method');
  }
  const spec = methods[name];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) throw describeZodError(parsed.error, `Invalid input for ${name}`);
  const handler = handlers[name] as Handler<MethodName>;
  const output = await handler(parsed.data as never, ctx);
  const checked = spec.output.safeParse(output);
  if (!checked.success) {
    throw new WorkbenchError('internal', `${name} produced an invalid reply: ${checked.error.message}`);
  }
  return checked.data as MethodOutput<MethodName>;
}

/**
 * The typed client of the API inside this process (the CLI, tests, benches): the contract's
 * input and output types over the same path the transports take (validation included).
 */
export interface LocalClient extends Pick<WorkbenchApi, 'invoke'> {
  /**
   * The same call with input from a person (CLI flags, a test's bad request): the method's schema
   * checks it and names the field that is wrong; the reply is typed as `invoke`'s.
   */
  invokeFromUser<M extends MethodName>(method: M, input: unknown): Promise<MethodOutput<M>>;
}

/** A typed local client of one data folder. */
export function localClient(ctx: ServiceContext): LocalClient {
  // dispatch validates the reply against the method's output schema, so it has the method's type.
  const call = <M extends MethodName>(method: M, input: unknown) =>
    dispatch(ctx, method, input) as Promise<MethodOutput<M>>;
  return { invoke: call, invokeFromUser: call };
}

/** Converts anything thrown by a handler to the error the transports send. */
export function toApiError(err: unknown): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WorkbenchError('internal', message);
}
