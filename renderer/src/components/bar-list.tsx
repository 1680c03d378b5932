/** A horizontal bar chart as a list: readable by screen readers, cheap to draw, themable. */
export function BarList({
  title,
  data,
  limit = 20,
  order,
}: {
  title: string;
  data: Record<string, number>;
  limit?: number;
  /** Fixed order of keys (splits); default: largest first. */
  order?: readonly string[];
}) {
  const entries = (
    order
      ? order.filter((k) => k in data).map((k) => [k, data[k] ?? 0] as [string, number])
      : Object.entries(data).sort((a, b) => b[1] - a[1])
  ).slice(0, limit);
  const max = Math.max(1, ...entries.map(([, v]) => v));
  const rest = Object.keys(data).length - entries.length;
  return (
    <figure className="bar-list" aria-label={title}>
      <figcaption>{title}</figcaption>
      {entries.length === 0 ? (
        <p className="hint">None.</p>
      ) : (
        <ul>
          {entries.map(([k, v]) => (
            <li key={k}>
              <span className="bar-label" title={k}>
                {k}
              </span>
              <span className="bar-track" aria-hidden="true">
                <span className="bar" style={{ width: `${(100 * v) / max}%` }} />
              </span>
              <span className="bar-value">{v.toLocaleString()}</span>
            </li>
          ))}
        </ul>
      )}
      {rest > 0 && <p className="hint">and {rest} more</p>}
    </figure>
  );
}
