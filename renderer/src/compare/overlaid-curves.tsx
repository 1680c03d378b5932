import type { MetricSeries } from '#shared/domain/metric';
import type { Line } from '../charts/align';
import { LineChart } from '../charts/line-chart';
import { SelectField } from '../components/field';
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
      <SelectField
        id="curve-metric"
        label="Curve"
        style={{ maxWidth: 260 }}
        value={props.metric}
        options={props.names}
        onChange={props.onMetric}
      />
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
