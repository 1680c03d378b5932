import type { MetricSeries } from '#shared/domain/metric';
import type { Line } from '../charts/align';
import { LineChart } from '../charts/line-chart';
import type { CompareRun } from './compare-model';

/** Curve names any of the runs has. */
export function curveNames(curves: ReadonlyMap<string, readonly MetricSeries[]>): string[] {
  return [...new Set([...curves.values()].flatMap((s) => s.map((x) => x.name)))].sort();
}

/** One line per run for a metric. */
export function curveLines(
  runs: readonly CompareRun[],
  curves: ReadonlyMap<string, readonly MetricSeries[]>,
  metric: string,
): Line[] {
  return runs.flatMap((r) => {
    const s = curves.get(r.run.id)?.find((x) => x.name === metric);
    return s ? [{ label: r.run.name, x: s.points.map((p) => p.step), y: s.points.map((p) => p.value) }] : [];
  });
}

/** The same metric of every run on one chart; pick which metric. */
export function OverlaidCurves(props: {
  metric: string;
  names: readonly string[];
  lines: readonly Line[];
  onMetric: (m: string) => void;
}) {
  if (props.names.length === 0) return <p className="hint">These runs have no curves yet.</p>;
  return (
    <div>
      <div className="field" style={{ maxWidth: 260 }}>
        <label htmlFor="curve-metric">Curve</label>
        <select id="curve-metric" value={props.metric} onChange={(e) => props.onMetric(e.target.value)}>
          {props.names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </div>
      <LineChart
        title={`Curves: ${props.metric} by step`}
        lines={props.lines}
        xLabel="step"
        integerX
        yLabel={props.metric}
        height={260}
      />
    </div>
  );
}
