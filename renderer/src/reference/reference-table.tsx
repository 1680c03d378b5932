import type { ReferenceRow } from '#shared/domain/reference-row';
import { formatMetric, formatParams } from '../format';

/**
 * Reference figures beside (never among) the runs: each with its source, "as quoted" where the
 * figure was quoted by others; the user's own rows can be deleted.
 */
export function ReferenceTable({
  rows,
  caption,
  onDelete,
  onReproduce,
}: {
  rows: readonly ReferenceRow[];
  caption: string;
  onDelete?: (row: ReferenceRow) => void;
  /** Offers "Reproduce" on every row (the panel is the caller's). */
  onReproduce?: (row: ReferenceRow) => void;
}) {
  if (rows.length === 0) return <p className="hint">No reference figures for these datasets.</p>;
  const spans = sourceSpans(rows);
  // Delete is for the user's own rows: no column for it when every row is published.
  const deletable = onDelete && rows.some((r) => r.origin === 'user');
  return (
    <div className="table-scroll">
      <table aria-label={caption} className="reference-table">
        <caption className="hint" style={{ textAlign: 'left', captionSide: 'bottom' }}>
          {caption}. Not measured by this workbench; values in the workbench's units, the source's figure in
          brackets.
        </caption>
        <thead>
          <tr>
            <th>Reference</th>
            <th>Parameters</th>
            <th>Dataset</th>
            <th>Metric</th>
            <th>Value</th>
            <th>Source</th>
            {deletable && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id} className="reference-row">
              <td>
                <span className="badge">{r.origin === 'published' ? 'published' : 'yours'}</span> {r.model}
              </td>
              <td>{r.params ? formatParams(r.params) : '–'}</td>
              <td>
                {r.dataset}{' '}
                <span className="hint">
                  {r.split}, {r.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'}
                </span>
              </td>
              <td>
                {r.metric}
                {r.metricLabel && <div className="hint">{r.metricLabel}</div>}
              </td>
              <td>
                {formatMetric(r.value)}
                {r.valueText && <span className="ci">[{r.valueText}]</span>}
                {r.n && <div className="hint">n = {r.n}</div>}
                {onReproduce && (
                  <button type="button" className="small" onClick={() => onReproduce(r)}>
                    Reproduce
                    <span className="sr-only">
                      {' '}
                      {r.model} {r.dataset} {r.metric}
                    </span>
                  </button>
                )}
              </td>
              {spans[i] !== 0 && (
                <td className="source" rowSpan={spans[i]}>
                  {r.asQuoted && <span className="badge as-quoted">as quoted</span>}{' '}
                  {r.url ? (
                    <a href={r.url} target="_blank" rel="noreferrer">
                      {r.citation}
                    </a>
                  ) : (
                    r.citation
                  )}
                  {r.note && <div className="hint">{r.note}</div>}
                </td>
              )}
              {deletable && (
                <td>
                  {r.origin === 'user' && (
                    <button type="button" className="danger" onClick={() => onDelete(r)}>
                      Delete<span className="sr-only"> reference {r.model}</span>
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const sourceOf = (r: ReferenceRow) => `${r.citation}|${r.url}|${r.asQuoted}|${r.note}`;

/** Row spans of the source column: consecutive rows with one source share one cell (0 = covered). */
export function sourceSpans(rows: readonly ReferenceRow[]): number[] {
  const spans = rows.map(() => 1);
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i < rows.length && sourceOf(rows[i]!) === sourceOf(rows[start]!)) {
      spans[start] = (spans[start] ?? 1) + 1;
      spans[i] = 0;
    } else start = i;
  }
  return spans;
}
