import { useEffect } from 'react';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { EvaluateForm } from './evaluate-form';
import { EvaluationTable } from './evaluation-table';

/** Evaluations of a run's checkpoints as they come, with confidence intervals, and a form for more. */
export function RunEvaluations({ run }: { run: RunSummary }) {
  const api = useApi();
  const { data, error, reload } = useQuery('evaluations.list', { runId: run.id });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('onDidChangeEvaluation', (e) => {
      if (e.evaluation.runId !== run.id || timer) return;
      timer = setTimeout(() => {
        timer = null;
        reload();
      }, 300);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [api, run.id, reload]);
  return (
    <section aria-label="Evaluations">
      <h2>Evaluation</h2>
      <ErrorBanner error={error} />
      <EvaluationTable evaluations={data ?? []} />
      {run.status === 'succeeded' || run.status === 'paused' || run.status === 'cancelled' ? (
        <EvaluateForm run={run} onQueued={reload} />
      ) : (
        <p className="hint">The run can be evaluated once it has finished or been paused.</p>
      )}
    </section>
  );
}
