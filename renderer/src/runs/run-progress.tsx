import type { MetricSeries } from '#shared/domain/metric';
import type { RunSummary } from '#shared/domain/run';
import { ProgressBar } from '../components/progress-bar';
import { formatDuration } from '../format';
import { secondsPerStep } from './series';

/** Step counter with an ETA from the recent pace (wall time between the last logged steps). */
export function RunProgress({ run, series }: { run: RunSummary; series: readonly MetricSeries[] }) {
  const pace = secondsPerStep(series.find((s) => /loss/.test(s.name)) ?? series[0]);
  const left = run.totalSteps ? run.totalSteps - run.step : null;
  const eta = run.status === 'running' && pace && left !== null && left > 0 ? pace * left : null;
  const detail = [
    `step ${run.step.toLocaleString()}${run.totalSteps ? ` of ${run.totalSteps.toLocaleString()}` : ''}`,
    pace && run.status === 'running'
      ? pace < 1
        ? `${(1 / pace).toFixed(1)} steps/s`
        : `${pace.toFixed(1)} s/step`
      : '',
    eta !== null ? `about ${formatDuration(eta)} left` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return <ProgressBar label="Training progress" done={run.step} total={run.totalSteps} detail={detail} />;
}
