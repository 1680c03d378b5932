/** A labelled progress bar; indeterminate while `total` is unknown. */
export function ProgressBar({
  label,
  done,
  total,
  detail,
}: {
  label: string;
  done: number;
  total: number | null;
  detail?: string;
}) {
  const pct = total ? Math.min(100, (100 * done) / total) : null;
  return (
    <div className="progress">
      <div className="progress-head">
        <span>{label}</span>
        <span>{pct === null ? detail : `${pct.toFixed(0)}%${detail ? ` · ${detail}` : ''}`}</span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total ?? undefined}
        aria-valuenow={total ? done : undefined}
      >
        <div
          className={`progress-fill${pct === null ? ' indeterminate' : ''}`}
          style={{ width: `${pct ?? 30}%` }}
        />
      </div>
    </div>
  );
}
