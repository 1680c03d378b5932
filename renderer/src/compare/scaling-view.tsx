import type { Line } from '../charts/align';
import { LineChart } from '../charts/line-chart';

/** The metric against parameters (log x), one line per dataset: does going bigger pay? */
export function ScalingView({
  metric,
  metrics,
  lines,
  onMetric,
}: {
  metric: string;
  metrics: readonly string[];
  lines: readonly Line[];
  onMetric: (m: string) => void;
}) {
  return (
    <div>
      <div className="field" style={{ maxWidth: 260 }}>
        <label htmlFor="scaling-metric">Scaling metric</label>
        <select id="scaling-metric" value={metric} onChange={(e) => onMetric(e.target.value)}>
          {metrics.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </div>
      {lines.length === 0 ? (
        <p className="hint">
          No run here has both a parameter count and a value of {metric || 'this metric'}.
        </p>
      ) : (
        <LineChart
          title={`Scaling: ${metric} against parameters`}
          lines={lines}
          xLabel="parameters (log scale)"
          yLabel={metric}
          logX
          points
          height={280}
        />
      )}
    </div>
  );
}
