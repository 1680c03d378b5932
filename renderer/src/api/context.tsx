import { createContext, useContext } from 'react';
import type { WorkbenchApi } from '#shared/api/contract';

/** The API object provided to every page. */
export const ApiContext = createContext<(WorkbenchApi & { transport: string }) | null>(null);

/** The workbench API; throws if used outside the provider. */
export function useApi(): WorkbenchApi & { transport: string } {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}
