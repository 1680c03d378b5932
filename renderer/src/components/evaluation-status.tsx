import type { EvaluationSummary } from '#shared/domain/evaluation';
import { JobBadge } from './cluster-badge';

/** An evaluation's status, its progress, where a cluster decodes it, and its error, for a table cell. */
export function EvaluationStatus({ e, progress = true }: { e: EvaluationSummary; progress?: boolean }) {
  return (
    <>
      <span className={`status status-${e.status}`}>{e.status}</span>
      {progress && e.total ? ` ${e.done}/${e.total}` : ''}
      {e.cluster && (
        <div>
          <JobBadge job={e.cluster} /> <span className="hint">{e.cluster.state}</span>
        </div>
      )}
      {e.error && <div className="field-error">{e.error}</div>}
    </>
  );
}
