import type { EvaluationSummary } from '#shared/domain/evaluation';

/** An evaluation's status, its progress and its error, for a table cell. */
export function EvaluationStatus({ e }: { e: EvaluationSummary }) {
  return (
    <>
      <span className={`status status-${e.status}`}>{e.status}</span>
      {e.total ? ` ${e.done}/${e.total}` : ''}
      {e.error && <div className="field-error">{e.error}</div>}
    </>
  );
}
