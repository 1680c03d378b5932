import { z } from 'zod';

/** Machine-readable error codes every transport carries unchanged to the renderer. */
export const ErrorCode = z.enum([
  'invalid_input',
  'not_found',
  'conflict',
  'unavailable',
  'unauthorized',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The error shape sent over IPC and WebSocket: a message a researcher can act on. */
export const ApiErrorPayload = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Dotted path of the offending input field, when the error is about one field. */
  field: z.string().optional(),
});
export type ApiErrorPayload = z.infer<typeof ApiErrorPayload>;

/** An error thrown by services and re-thrown by API clients. */
export class WorkbenchError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'WorkbenchError';
  }

  /** The transport form of this error. */
  toPayload(): ApiErrorPayload {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

/** Turns a zod error into a message that names the first offending field. */
export function describeZodError(error: z.ZodError, what: string): WorkbenchError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
  const where = field ? `field "${field}"` : 'the input';
  return new WorkbenchError('invalid_input', `${what}: ${where} ${issue?.message ?? 'is invalid'}`, field);
}
