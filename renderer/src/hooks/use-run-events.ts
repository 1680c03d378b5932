import { useEffect, useRef } from 'react';
import { useApi } from '../api/context';

/**
 * Calls `refresh` when a run changes, at most once per `intervalMs` (a worker reports many steps
 * a second; re-fetching on each would keep the renderer busy), and also every `pollMs` while
 * `active` in case an event was missed.
 */
export function useRunEvents(
  runId: string,
  refresh: () => void,
  active: boolean,
  intervalMs = 1000,
  pollMs = 4000,
) {
  const api = useApi();
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const fire = () => {
      timer.current = null;
      last.current = performance.now();
      latest.current();
    };
    const off = api.on('onDidChangeRun', (e) => {
      if (e.runId !== runId || timer.current) return;
      const wait = Math.max(0, intervalMs - (performance.now() - last.current));
      timer.current = setTimeout(fire, wait);
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [api, runId, intervalMs]);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => latest.current(), pollMs);
    return () => clearInterval(t);
  }, [active, pollMs]);
}
