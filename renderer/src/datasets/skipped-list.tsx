import type { SkippedRecord } from '#shared/domain/dataset';

const SHOWN = 200;

/** The records an import leaves out, each by file, line, its own id, field and reason. */
export function SkippedList({ skipped, count }: { skipped: readonly SkippedRecord[]; count: number }) {
  if (count === 0) return null;
  return (
    <section aria-label="Skipped records">
      <h4>
        {count.toLocaleString()} record{count === 1 ? '' : 's'} left out of the import (the dataset keeps this
        list)
      </h4>
      <table aria-label="Skipped records list">
        <thead>
          <tr>
            <th>File</th>
            <th>Record</th>
            <th>Field</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {skipped.slice(0, SHOWN).map((s, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a record may be listed once per bad field
            <tr key={i}>
              <td>
                {s.file}
                {s.line !== undefined ? `:${s.line}` : ''}
                {s.byteOffset !== undefined ? ` (byte ${s.byteOffset})` : ''}
              </td>
              <td>{s.id}</td>
              <td>{s.field ?? ''}</td>
              <td>{s.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {skipped.length > SHOWN && <p className="hint">and {(skipped.length - SHOWN).toLocaleString()} more</p>}
    </section>
  );
}
