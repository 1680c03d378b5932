import type { EvaluationSummary } from '#shared/domain/evaluation';
import { EvaluationStatus } from '../components/evaluation-status';
import { PipelineNote } from '../components/pipeline-note';
import { useBrowsedEvaluation } from '../evaluations/predictions-browser';
import { formatMetric } from '../format';

/** Evaluations with progress, decoding and metric pipeline, each metric's estimate and 95% interval. */
export function EvaluationTable({ evaluations }: { evaluations: readonly EvaluationSummary[] }) {
  const browse = useBrowsedEvaluation(evaluations);
  if (evaluations.length === 0) return <p className="hint">Not evaluated yet.</p>;
  const names = [...new Set(evaluations.flatMap((e) => Object.keys(e.metrics)))].sort();
  return (
    <>
      <div className="table-scroll">
        <table aria-label="Evaluation results">
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Split</th>
              <th>Mode</th>
              <th>Status</th>
              <th>Examples</th>
              <th>Decoding · metrics</th>
              {names.map((n) => (
                <th key={n}>{n}</th>
              ))}
              <th>Predictions</th>
            </tr>
          </thead>
          <tbody>
            {evaluations.map((e) => (
              <tr key={e.id}>
                <td>{e.datasetName ?? e.datasetId}</td>
                <td>{e.split}</td>
                <td>{e.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'}</td>
                <td>
                  <EvaluationStatus e={e} progress={false} />
                </td>
                <td>
                  {e.done.toLocaleString()}
                  {e.total ? ` / ${e.total.toLocaleString()}` : ''}
                </td>
                <td>
                  <PipelineNote e={e} />
                </td>
                {names.map((n) => {
                  const m = e.metrics[n];
                  return (
                    <td key={n}>
                      {formatMetric(m?.estimate)}
                      {m && m.low !== null && m.high !== null && (
                        <span className="ci">
                          [{formatMetric(m.low)}, {formatMetric(m.high)}]
                        </span>
                      )}
                    </td>
                  );
                })}
                <td>{browse.button(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {browse.browser}
    </>
  );
}
