import type { WeightsLoadReport } from '#shared/domain/weights';

function Keys({ keys }: { keys: readonly string[] }) {
  if (keys.length === 0) return <span className="hint">none</span>;
  return (
    <details>
      <summary>
        {keys.length} key{keys.length === 1 ? '' : 's'}
      </summary>
      <ul className="key-list">
        {keys.map((k) => (
          <li key={k}>
            <code>{k}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

/** Every key of an imported state dict: matched, missing, unexpected, of the wrong shape, ignored. */
export function LoadReportView({ report }: { report: WeightsLoadReport }) {
  const rows: [string, number, React.ReactNode][] = [
    ['Matched', report.matched.length, <Keys key="m" keys={report.matched} />],
    ['Missing', report.missing.length, <Keys key="mi" keys={report.missing} />],
    ['Unexpected', report.unexpected.length, <Keys key="u" keys={report.unexpected} />],
    [
      'Wrong shape',
      report.wrongShape.length,
      <Keys
        key="w"
        keys={report.wrongShape.map((w) => `${w.key}: [${w.actual}] in the file, [${w.expected}] expected`)}
      />,
    ],
    [
      'Ignored (recomputed, aliases)',
      report.ignored.length,
      <Keys key="i" keys={report.ignored.map((i) => `${i.key} (${i.reason})`)} />,
    ],
  ];
  return (
    <div>
      <table aria-label="Load report">
        <thead>
          <tr>
            <th>Keys</th>
            <th>Count</th>
            <th>Which</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, n, keys]) => (
            <tr
              key={label}
              className={n > 0 && label !== 'Matched' && !label.startsWith('Ignored') ? 'bad' : ''}
            >
              <td>{label}</td>
              <td>{n}</td>
              <td>{keys}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">
        {report.totalKeys} keys in the file; {report.renamed} Hugging Face names mapped to fairseq ones.
      </p>
      {report.problems.length > 0 && (
        <ul className="error" role="alert">
          {report.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
