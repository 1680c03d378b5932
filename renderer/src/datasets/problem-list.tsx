import type { ImportProblem } from '#shared/domain/dataset';

function where(p: ImportProblem): string {
  const at = [p.file, p.line !== undefined ? `line ${p.line}` : '', p.field ? `field "${p.field}"` : '']
    .filter(Boolean)
    .join(', ');
  return at;
}

/** Every problem an import found, errors first, each naming file, line and field. */
export function ProblemList({ problems }: { problems: readonly ImportProblem[] }) {
  if (problems.length === 0) return <p className="ok">No problems found.</p>;
  const sorted = [...problems].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  const errors = problems.filter((p) => p.severity === 'error').length;
  return (
    <section aria-label="Problems">
      <h4>
        {errors} error{errors === 1 ? '' : 's'}, {problems.length - errors} warning
        {problems.length - errors === 1 ? '' : 's'}
      </h4>
      <ul className="problems">
        {sorted.slice(0, 200).map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no identity
          <li key={i} className={p.severity}>
            <strong>{p.severity}</strong> {where(p)}: {p.message}
          </li>
        ))}
      </ul>
      {sorted.length > 200 && <p className="hint">and {sorted.length - 200} more</p>}
    </section>
  );
}
