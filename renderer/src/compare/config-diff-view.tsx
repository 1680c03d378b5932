import type { DiffRow } from './config-diff';

/** Only the settings that differ between the runs. */
export function ConfigDiffView({ rows, names }: { rows: readonly DiffRow[]; names: readonly string[] }) {
  if (rows.length === 0) return <p className="hint">The runs share every configuration value.</p>;
  return (
    <div className="table-scroll">
      <table aria-label="Configuration differences">
        <thead>
          <tr>
            <th>Setting</th>
            {names.map((n, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: two runs may share a name
              <th key={i}>{n}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>
                <code>{r.key}</code>
              </td>
              {r.values.map((v, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                <td key={i}>{v}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
