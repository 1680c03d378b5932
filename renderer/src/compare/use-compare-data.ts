import { useEffect, useState } from 'react';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { MetricSeries } from '#shared/domain/metric';
import { useApi } from '../api/context';
import type { CompareRun } from './compare-model';

/** Points per curve when several runs are overlaid. */
const CURVE_POINTS = 1000;

/** Loads the selected runs, their evaluations and their curves (downsampled for display). */
export function useCompareData(ids: readonly string[]) {
  const api = useApi();
  const [runs, setRuns] = useState<CompareRun[] | null>(null);
  const [curves, setCurves] = useState<Map<string, MetricSeries[]>>(new Map());
  const [error, setError] = useState<Error | undefined>();
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    const list = key.split(',').filter(Boolean);
    Promise.all(
      list.map(async (id) => {
        const run = await api.invoke('runs.get', { id });
        // Evaluations are optional here: a run without any still compares on its best metric.
        const evaluations = await api
          .invoke('evaluations.list', { runId: id })
          .catch(() => [] as EvaluationSummary[]);
        const series = await api.invoke('runs.metrics', { id, maxPoints: CURVE_POINTS });
        return { run, evaluations: Array.isArray(evaluations) ? evaluations : [], series };
      }),
    ).then(
      (res) => {
        if (!live) return;
        setRuns(res.map(({ run, evaluations }) => ({ run, evaluations })));
        setCurves(new Map(res.map((r) => [r.run.id, r.series])));
        setError(undefined);
      },
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, key]);
  return { runs, curves, error };
}
