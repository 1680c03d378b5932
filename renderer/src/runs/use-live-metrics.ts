import { useCallback, useEffect, useRef, useState } from 'react';
import type { MetricPoint, MetricSeries } from '#shared/domain/metric';
import { useApi } from '../api/context';
import { mergePoints, needsRefetch } from './merge-points';
import { DISPLAY_POINTS } from './series';

/**
 * A run's metric series for display: fetched downsampled, then grown from `onDidRunProgress`
 * pushes. Pushed points are applied at most four times a second, so a fast worker cannot keep
 * the renderer busy; once the series grow long they are fetched downsampled again.
 */
export function useLiveMetrics(runId: string) {
  const api = useApi();
  const [series, setSeries] = useState<MetricSeries[]>([]);
  const [error, setError] = useState<Error | undefined>();
  const pending = useRef<Record<string, MetricPoint[]>>({});
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refetch = useCallback(() => {
    api.invoke('runs.metrics', { id: runId, maxPoints: DISPLAY_POINTS }).then(
      (s) => {
        setSeries(s);
        setError(undefined);
      },
      (e: Error) => setError(e),
    );
  }, [api, runId]);

  useEffect(() => {
    refetch();
    const off = api.on('onDidRunProgress', (e) => {
      if (e.runId !== runId) return;
      for (const [name, pts] of Object.entries(e.points))
        pending.current[name] = [...(pending.current[name] ?? []), ...pts];
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        const batch = pending.current;
        pending.current = {};
        setSeries((prev) => {
          const next = mergePoints(prev, batch);
          if (needsRefetch(next, DISPLAY_POINTS)) queueMicrotask(refetch);
          return next;
        });
      }, 250);
    });
    return () => {
      off();
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [api, runId, refetch]);

  return { series, error, refetch };
}
