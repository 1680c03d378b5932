import type { MethodName, MethodOutput, ParsedInput } from '#shared/api/contract';
import type { ServiceContext } from './context';

/** The implementation of one API method. */
export type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
  ctx: ServiceContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

/** Implementations for a subset of methods (one file per domain). */
export type Handlers<K extends MethodName> = { readonly [M in K]: Handler<M> };
