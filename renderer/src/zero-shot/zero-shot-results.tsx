import type { EvaluationSummary, MetricWithCi } from '#shared/domain/evaluation';
import { EvaluationStatus } from '../components/evaluation-status';
import { PipelineNote } from '../components/pipeline-note';
import { useBrowsedEvaluation } from '../evaluations/predictions-browser';
import { formatMetric } from '../format';

function Value({ m }: { m: MetricWithCi | undefined }) {
  if (!m || m.estimate === null) return <>–</>;
  return (
    <>
      {formatMetric(m.estimate)}
      {m.low !== null && m.high !== null && (
        <span className="ci">
          [{formatMetric(m.low)}, {formatMetric(m.high)}]
        </span>
      )}
    </>
  );
}

/** Per dataset: zero-shot accuracy and alignment accuracy, beside the best fine-tuned run there. */
export function ZeroShotResults({
  zeroShot,
  fineTuned,
  own,
}: {
  zeroShot: readonly EvaluationSummary[];
  fineTuned: ReadonlyMap<string, EvaluationSummary>;
  /** The checkpoint's own fine-tuned evaluations (on the data it was tuned on), for reference. */
  own: readonly EvaluationSummary[];
}) {
  const browse = useBrowsedEvaluation([...zeroShot, ...own]);
  if (zeroShot.length === 0) return <p className="hint">No zero-shot evaluation of this checkpoint yet.</p>;
  return (
    <>
      <table aria-label="Zero-shot results">
        <caption className="hint" style={{ textAlign: 'left', captionSide: 'bottom' }}>
          Alignment accuracy: the share of answers that are in scope (a valid candidate for closed questions,
          a non-empty answer in the expected form otherwise). Values with 95% bootstrap intervals.
        </caption>
        <thead>
          <tr>
            <th>Dataset</th>
            <th>Split</th>
            <th>Status</th>
            <th>Decoding · metrics</th>
            <th>Accuracy (zero-shot)</th>
            <th>Alignment accuracy</th>
            <th>Best fine-tuned accuracy</th>
            <th>Predictions</th>
          </tr>
        </thead>
        <tbody>
          {zeroShot.map((e) => {
            const ft = fineTuned.get(e.datasetId);
            return (
              <tr key={e.id}>
                <td>{e.datasetName ?? e.datasetId}</td>
                <td>{e.split}</td>
                <td>
                  <EvaluationStatus e={e} />
                </td>
                <td>
                  <PipelineNote e={e} />
                </td>
                <td>
                  <Value m={e.metrics.accuracy} />
                </td>
                <td>
                  <Value m={e.metrics.alignment_accuracy} />
                </td>
                <td>
                  {ft ? <Value m={ft.metrics.accuracy} /> : <span className="hint">no fine-tuned run</span>}
                </td>
                <td>{browse.button(e)}</td>
              </tr>
            );
          })}
          {own.map((e) => (
            <tr key={e.id} className="reference-row">
              <td>
                {e.datasetName ?? e.datasetId} <span className="hint">(tuned on it)</span>
              </td>
              <td>{e.split}</td>
              <td>fine-tuned</td>
              <td>
                <PipelineNote e={e} />
              </td>
              <td>–</td>
              <td>
                <Value m={e.metrics.alignment_accuracy} />
              </td>
              <td>
                <Value m={e.metrics.accuracy} />
              </td>
              <td>{browse.button(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {browse.browser}
    </>
  );
}
