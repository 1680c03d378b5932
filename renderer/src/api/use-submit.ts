import { useState } from 'react';

/**
 * The busy/error pattern of a form: `submit()` runs `action`, is busy meanwhile, keeps its error
 * for an `ErrorBanner`, clears the error when it succeeds, and resolves to whether it succeeded
 * (it never rejects).
 */
export function useSubmit<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): {
  submit: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: Error | undefined;
  /** Shows an error found outside `action` (the next success clears it). */
  setError: (error: Error | undefined) => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const submit = async (...args: A) => {
    setBusy(true);
    try {
      await action(...args);
      setError(undefined);
      return true;
    } catch (e) {
      setError(e as Error);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error, setError };
}
