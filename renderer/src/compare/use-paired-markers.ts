import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import type { ResultTable } from '../export/table';
import { type CompareRun, headlineEvaluation } from './compare-model';

/** p below which a difference is marked. */
const ALPHA = 0.05;

/**
 * For each metric column, tests the best run against every other run evaluated on the same
 * dataset split (paired bootstrap at the API, `evaluations.compare`) and marks the cells that are
 * significantly below the best, with the difference and p in the tooltip.
 */
export function usePairedMarkers(runs: readonly CompareRun[] | null, table: ResultTable | null) {
  const api = useApi();
  const [markers, setMarkers] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!runs || !table?.best) return;
    let live = true;
    const evals = runs.map(headlineEvaluation);
    const jobs: Promise<[string, string] | null>[] = [];
    for (const key of table.best) {
      const [bestRow, col] = key.split(':').map(Number) as [number, number];
      const metric = table.columns[col] ?? '';
      const a = evals[bestRow];
      if (!a) continue;
      evals.forEach((b, row) => {
        if (!b || row === bestRow || b.datasetId !== a.datasetId || b.split !== a.split) return;
        jobs.push(
          api
            .invoke('evaluations.compare', { ids: [a.id, b.id] })
            .then((res) => {
              const p = res.paired.find((t) => t.metric === metric);
              if (!p || p.pValue === null || p.pValue >= ALPHA) return null;
              const text = `Below the best by ${(p.delta ?? 0).toFixed(3)} (paired bootstrap over ${res.pairedExamples} examples, p = ${p.pValue.toFixed(3)})`;
              return [`${row}:${col}`, text] as [string, string];
            })
            .catch(() => null),
        );
      });
    }
    Promise.all(jobs).then((pairs) => {
      if (live) setMarkers(new Map(pairs.filter((p): p is [string, string] => p !== null)));
    });
    return () => {
      live = false;
    };
  }, [api, runs, table]);
  return markers;
}
