import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '#shared/api/contract';
import { useApi } from './context';

/** Calls an API method when its input changes; exposes data, error and a reload function. */
export function useQuery<M extends MethodName>(method: M, input: MethodInput<M>) {
  const api = useApi();
  const [data, setData] = useState<MethodOutput<M> | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const key = JSON.stringify(input);
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setLoading(true);
    api.invoke(method, JSON.parse(key) as MethodInput<M>).then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: Error) => {
        if (mine !== seq.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [api, method, key]);
  useEffect(reload, [reload]);
  return { data, error, loading, reload };
}
