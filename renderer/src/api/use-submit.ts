import { useState } from 'react';

/**
 * The busy/error pattern of a form: `submit()` runs `action` once at a time, keeps its error for
 * an `ErrorBanner`, and clears the error when it succeeds.
 */
export function useSubmit<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): { submit: (...args: A) => Promise<void>; busy: boolean; error: Error | undefined } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const submit = async (...args: A) => {
    setBusy(true);
    try {
      await action(...args);
      setError(undefined);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error };
}
