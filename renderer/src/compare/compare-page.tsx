import { useMemo, useState } from 'react';
import { useQuery } from '../api/use-query';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { plottedReferenceRows, referenceLines } from '../reference/reference-lines';
import { ReferenceSection } from '../reference/reference-section';
import { href } from '../routes';
import { metricNames, metricTable, runScale, scalingLines } from './compare-model';
import { configDiff } from './config-diff';
import { ConfigDiffView } from './config-diff-view';
import { ExampleBrowser } from './example-browser';
import { ExportBar } from './export-bar';
import { MetricsTable } from './metrics-table';
import { curveLines, curveNames, OverlaidCurves } from './overlaid-curves';
import { ScalingView } from './scaling-view';
import { useCompareData } from './use-compare-data';
import { usePairedMarkers } from './use-paired-markers';

/** Runs side by side: metrics, configuration, curves, scaling, examples, exports. */
export function ComparePage({ ids }: { ids: readonly string[] }) {
  const { runs, curves, error } = useCompareData(ids);
  const [curve, setCurve] = useState('');
  const [scaleMetric, setScaleMetric] = useState('');
  const table = useMemo(() => (runs ? metricTable(runs) : null), [runs]);
  const markers = usePairedMarkers(runs, table);
  const datasets = useMemo(
    () => [...new Set((runs ?? []).map((r) => r.run.datasetName).filter((d): d is string => !!d))],
    [runs],
  );
  const refs = useQuery('referenceRows.list', { datasets });
  if (ids.length < 2)
    return (
      <section>
        <h1>Compare</h1>
        <EmptyState title="Nothing selected to compare">
          Select two or more runs on the <a href="#/experiments">Experiments</a> page to see their metrics,
          curves and the scaling view side by side.
        </EmptyState>
      </section>
    );
  const names = curveNames(curves);
  const metric = curve || names.find((n) => /loss/.test(n)) || names[0] || '';
  const metrics = runs ? metricNames(runs) : [];
  const sMetric = scaleMetric || metrics.find((m) => m === 'accuracy') || metrics[0] || '';
  const cLines = runs ? curveLines(runs, curves, metric) : [];
  const sLines = runs ? scalingLines(runs, sMetric) : [];
  const refLines = referenceLines(refs.data ?? [], sMetric, datasets);
  const shownRefs = (refs.data ?? []).filter((r) => metrics.length === 0 || metrics.includes(r.metric));
  const diff = runs
    ? configDiff(
        runs.map((r) => ({
          scale: runScale(r.run),
          task: r.run.task,
          dataset: r.run.datasetName,
          ...r.run.config,
        })),
      )
    : [];
  const runNames = runs?.map((r) => r.run.name) ?? [];
  return (
    <section className="compare">
      <h1>Compare</h1>
      <p className="hint">
        {ids.length} runs:{' '}
        {runNames.map((n, i) => (
          <span key={ids[i]}>
            {i > 0 && ', '}
            <a href={href.run(ids[i] ?? '')}>{n}</a>
          </span>
        ))}
      </p>
      <ErrorBanner error={error} />
      {runs && table && (
        <>
          <ExportBar
            table={table}
            references={shownRefs}
            diff={diff}
            runNames={runNames}
            figures={[
              {
                title: 'Scaling',
                file: 'scaling',
                lines: [...sLines, ...refLines],
                xLabel: 'parameters',
                yLabel: sMetric,
                logX: true,
              },
              {
                title: 'Curves',
                file: `curves-${metric}`,
                lines: cLines,
                xLabel: 'step',
                yLabel: metric,
                logX: false,
              },
            ]}
          />
          <h2>Metrics</h2>
          <MetricsTable table={table} markers={markers} />
          <h2>Reference figures</h2>
          <p className="hint">
            Published figures and your own reference rows for these datasets, each with its source. They are
            not runs: never in the table above, never its best value.
          </p>
          <ErrorBanner error={refs.error} />
          <ReferenceSection rows={shownRefs} datasets={datasets} mode="finetuned" onChange={refs.reload} />
          <h2>Scaling</h2>
          <ScalingView
            metric={sMetric}
            metrics={metrics}
            lines={sLines}
            references={refLines}
            referenceRows={plottedReferenceRows(refs.data ?? [], sMetric, datasets)}
            onMetric={setScaleMetric}
          />
          <h2>Curves</h2>
          <OverlaidCurves metric={metric} names={names} lines={cLines} onMetric={setCurve} />
          <h2>Configuration differences</h2>
          <ConfigDiffView rows={diff} names={runNames} />
          <h2>Examples</h2>
          <ExampleBrowser runs={runs} />
        </>
      )}
    </section>
  );
}
