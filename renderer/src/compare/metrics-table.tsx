import type { ResultTable } from '../export/table';

/**
 * The comparison table: best per column highlighted, intervals beside values, test markers. The
 * decoding and metric pipeline of the figures is a column when runs differ in it, else one line
 * above the table (the exports always carry the column).
 */
export function MetricsTable({
  table,
  markers,
}: {
  table: ResultTable;
  markers?: ReadonlyMap<string, string>;
}) {
  const d = table.digits ?? 3;
  const pc = table.columns.indexOf('Pipeline');
  const pipelines = new Set(table.rows.map((row) => row[pc]));
  const shared = pc >= 0 && pipelines.size === 1 ? String(table.rows[0]?.[pc] ?? '') : null;
  const shown = (c: number) => shared === null || c !== pc;
  return (
    <div className="table-scroll">
      {shared && <p className="hint pipeline">Every figure: {shared}</p>}
      <table aria-label="Metrics" className="metrics">
        <caption className="hint" style={{ textAlign: 'left', captionSide: 'bottom' }}>
          {table.caption}. Best per column in bold green; ▼ = significantly below the best (paired bootstrap,
          p &lt; 0.05).
        </caption>
        <thead>
          <tr>{table.columns.map((c, i) => shown(i) && <th key={c}>{c}</th>)}</tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional (two runs may share a name)
            <tr key={r}>
              {row.map((v, c) => {
                if (!shown(c)) return null;
                const key = `${r}:${c}`;
                const best = table.best?.has(key);
                const ci = table.intervals?.[r]?.[c];
                const mark = markers?.get(key);
                return (
                  <td
                    key={table.columns[c]}
                    className={
                      [
                        typeof v === 'number' ? 'figure' : '',
                        best ? 'best' : '',
                        table.columns[c] === 'Pipeline' ? 'pipeline' : '',
                      ]
                        .join(' ')
                        .trim() || undefined
                    }
                  >
                    {v === null ? '–' : typeof v === 'number' ? v.toFixed(d) : v}
                    {ci && (
                      <span className="ci">
                        [{ci[0].toFixed(d)}, {ci[1].toFixed(d)}]
                      </span>
                    )}
                    {mark && (
                      <span className="sig" title={mark}>
                        ▼<span className="sr-only">{mark}</span>
                      </span>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
