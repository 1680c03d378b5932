import type { RunSummary } from '#shared/domain/run';

/** Evaluations of a run's checkpoints with their confidence intervals. */
export function RunEvaluations({ run }: { run: RunSummary }) {
  return (
    <section aria-label="Evaluations">
      <h2>Evaluation</h2>
      <p className="hint">
        {run.bestMetric === null
          ? 'Not evaluated yet.'
          : `Best ${run.bestMetricName}: ${run.bestMetric.toFixed(3)}`}
      </p>
    </section>
  );
}
