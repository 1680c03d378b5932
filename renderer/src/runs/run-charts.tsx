import type { MetricSeries } from '#shared/domain/metric';
import { LineChart } from '../charts/line-chart';
import { isTrainingCurve, orderSeries, seriesLine, seriesTitle } from './series';

/** One chart per metric series of a run (loss, learning rate, gradient norm, throughput, ...). */
export function RunCharts({ series }: { series: readonly MetricSeries[] }) {
  const curves = series.filter(isTrainingCurve);
  if (curves.length === 0)
    return <p className="hint">No metrics yet: they appear with the first training steps.</p>;
  return (
    <div className="chart-grid">
      {orderSeries(curves).map((s) => (
        <LineChart
          key={s.name}
          title={seriesTitle(s.name)}
          lines={[seriesLine(s)]}
          xLabel="step"
          integerX
          logY={s.name.includes('lr') ? false : undefined}
          height={180}
        />
      ))}
    </div>
  );
}
