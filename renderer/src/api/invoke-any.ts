import type { WorkbenchApi } from '#shared/api/contract';

/**
 * Calls a method the contract may not declare yet (another engineer is adding it). The backend
 * still validates the input, and an unknown method comes back as a readable error.
 */
export function invokeAny<T = unknown>(api: WorkbenchApi, method: string, input: unknown): Promise<T> {
  return (api.invoke as unknown as (m: string, i: unknown) => Promise<T>)(method, input);
}
