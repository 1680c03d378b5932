import type { EvaluationSummary } from '#shared/domain/evaluation';
import { clusterLine } from './cluster-badge';

/** An evaluation's status, its progress, where a cluster decodes it, and its error, for a table cell. */
export function EvaluationStatus({ e }: { e: EvaluationSummary }) {
  return (
    <>
      <span className={`status status-${e.status}`}>{e.status}</span>
      {e.total ? ` ${e.done}/${e.total}` : ''}
      {e.cluster && <div className="hint">{clusterLine(e.cluster)}</div>}
      {e.error && <div className="field-error">{e.error}</div>}
    </>
  );
}
