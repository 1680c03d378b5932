import { useState } from 'react';
import type { ReferenceRow } from '#shared/domain/reference-row';
import type { Line } from '../charts/align';
import { LineChart } from '../charts/line-chart';
import { SelectField } from '../components/field';
import { ReferenceTable } from '../reference/reference-table';
import { ReproducePanel } from '../reference/reproduce-panel';

/** The metric against parameters (log x), one line per dataset: does going bigger pay? */
export function ScalingView({
  metric,
  metrics,
  lines,
  references = [],
  referenceRows = [],
  onMetric,
}: {
  metric: string;
  metrics: readonly string[];
  lines: readonly Line[];
  /** Reference points (published figures), drawn dashed beside the runs. */
  references?: readonly Line[];
  /** The reference rows drawn, listed under the chart, each with Reproduce. */
  referenceRows?: readonly ReferenceRow[];
  onMetric: (m: string) => void;
}) {
  const all = [...lines, ...references];
  const [reproducing, setReproducing] = useState<ReferenceRow | null>(null);
  return (
    <div>
      <SelectField
        id="scaling-metric"
        label="Scaling metric"
        style={{ maxWidth: 260 }}
        value={metric}
        options={metrics}
        onChange={onMetric}
      />
      {all.length === 0 ? (
        <p className="hint">
          No run here has both a parameter count and a value of {metric || 'this metric'}.
        </p>
      ) : (
        <LineChart
          title={`Scaling: ${metric} against parameters`}
          lines={all}
          xLabel="parameters (log scale)"
          yLabel={metric}
          logX
          points
          height={280}
        />
      )}
      {references.length > 0 && (
        <p className="hint">
          Dashed: reference figures (not runs), sources in the reference table above. BiomedGPT-Large and
          -XLarge (arXiv 2505.17436) publish no per-dataset figures here, so they have no points.
        </p>
      )}
      {referenceRows.length > 0 && (
        <details className="reference-points">
          <summary>Reference points drawn ({referenceRows.length}): sources, Reproduce</summary>
          <ReferenceTable
            rows={referenceRows}
            caption={`Reference points of the scaling view (${metric})`}
            onReproduce={setReproducing}
          />
        </details>
      )}
      {reproducing && (
        <ReproducePanel key={reproducing.id} row={reproducing} onClose={() => setReproducing(null)} />
      )}
    </div>
  );
}
