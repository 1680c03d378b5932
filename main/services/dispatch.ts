import { isMethodName, type MethodName, type MethodOutput, methods } from '#shared/api/contract';
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

/** Converts anything thrown by a handler to the error the transports send. */
export function toApiError(err: unknown): WorkbenchError {
  if (err instanceof WorkbenchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new WorkbenchError('internal', message);
}
