import type { Reproduction } from '#shared/domain/reproduction';
import { describeDecoding, describePipeline, pipelineLabel } from '#shared/evaluation-pipelines';
import { EvaluationStatus } from '../components/evaluation-status';
import { formatMetric } from '../format';

const VERDICT: Record<Reproduction['result']['verdict'], string> = {
  inside: 'Reproduced: inside the 95% CI',
  outside: 'Not reproduced: outside the 95% CI',
  pending: 'No verdict yet',
};

function interval(low: number | null, high: number | null) {
  return low !== null && high !== null ? `[${formatMetric(low)}, ${formatMetric(high)}]` : '–';
}

/** The cited figure and its reproduction side by side: values, 95% CIs, counts, the verdict. */
export function ReproductionResult({
  r,
  onCancel,
}: {
  r: Reproduction;
  onCancel?: (() => void) | undefined;
}) {
  const p = r.result.published;
  const m = r.result.measured;
  const e = r.evaluation;
  const ended = ['failed', 'cancelled', 'interrupted'].includes(e.status);
  return (
    <div className="reproduction">
      <table aria-label="Reproduction beside the cited figure">
        <thead>
          <tr>
            <th />
            <th>{r.row.metric}</th>
            <th>95% CI</th>
            <th>Examples</th>
            <th>Source · settings</th>
          </tr>
        </thead>
        <tbody>
          <tr className="reference-row">
            <th scope="row">
              Published <span className="hint">{r.row.model}</span>
            </th>
            <td className="figure">
              {formatMetric(p.value)}
              {r.row.valueText && <span className="ci">[{r.row.valueText}]</span>}
            </td>
            <td className="figure">
              {interval(p.low, p.high)}
              {p.low !== null && p.n !== null && (
                <div className="hint">
                  Wilson, of {Math.round(p.value * p.n)} / {p.n}
                </div>
              )}
            </td>
            <td>{p.n?.toLocaleString('en-US') ?? '–'}</td>
            <td className="source">{r.row.citation}</td>
          </tr>
          <tr>
            <th scope="row">
              Reproduced <span className="hint">{e.weightsName ?? e.weightsId}</span>
            </th>
            <td className="figure">{formatMetric(m?.estimate)}</td>
            <td className="figure">
              {interval(m?.low ?? null, m?.high ?? null)}
              {m && m.low !== null && <div className="hint">bootstrap</div>}
            </td>
            <td>
              {e.status === 'succeeded' && m ? m.n.toLocaleString('en-US') : <EvaluationStatus e={e} />}
            </td>
            <td>
              {e.datasetName} {e.split}; {e.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'},{' '}
              {describeDecoding(e.decoding)}
              <div className="hint" title={describePipeline(e.pipeline)}>
                {pipelineLabel(e.pipeline)}
              </div>
            </td>
          </tr>
        </tbody>
      </table>
      <p className={`verdict verdict-${r.result.verdict}`} role="status">
        <strong>{ended ? `No verdict: the evaluation ${e.status}` : VERDICT[r.result.verdict]}</strong>
        {ended
          ? '.'
          : r.result.verdict !== 'pending' || e.status === 'succeeded'
            ? `: ${r.result.basis}.`
            : '.'}
        {onCancel && (
          <button type="button" onClick={onCancel} style={{ marginLeft: 8 }}>
            Cancel evaluation
          </button>
        )}
      </p>
      <p className="hint">
        Kept as an ordinary evaluation ({e.id.slice(0, 8)}): listed under “From imported weights” on the{' '}
        <a href="#/zero-shot">Zero-shot</a> page with its predictions.
      </p>
    </div>
  );
}
