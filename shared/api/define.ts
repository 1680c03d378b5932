import type { z } from 'zod';

/** A request/response method of the workbench API: one zod schema for each direction. */
export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  /** One line for API docs and error messages. */
  readonly summary: string;
}

/** Declares a method; keeps the schemas' exact types for inference. */
export function method<I extends z.ZodType, O extends z.ZodType>(
  input: I,
  output: O,
  summary: string,
): MethodSpec<I, O> {
  return { input, output, summary };
}
