import type { ClusterUsage } from '#shared/domain/cluster';
import { useQuery } from '../api/use-query';
import { formatBytes } from '../format';

/** One cluster's line and, folded, its bundles with their run and evaluation folders. */
export function ClusterUsageView({ usage }: { usage: readonly ClusterUsage[] }) {
  return (
    <>
      {usage.map((u) => {
        const removable = u.bundles.filter((b) => b.removable);
        const freeable = removable.reduce((n, b) => n + b.bytes, 0);
        return (
          <details key={u.cluster} className="cluster-usage-item">
            <summary>
              <strong>{u.cluster}</strong>{' '}
              {u.bytes === null ? (
                <span className="field-error">{u.error}</span>
              ) : (
                <>
                  {formatBytes(u.bytes)} in {u.bundles.length} bundle{u.bundles.length === 1 ? '' : 's'}
                  {removable.length > 0 && (
                    <span className="hint">
                      {' '}
                      ({formatBytes(freeable)} removable: <code>biomed cluster clean {u.cluster}</code>)
                    </span>
                  )}
                </>
              )}
            </summary>
            {u.bundles.length > 0 && (
              <table aria-label={`Work folder of ${u.cluster}`}>
                <thead>
                  <tr>
                    <th>Bundle</th>
                    <th>Size</th>
                    <th>Run and evaluation folders</th>
                    <th>Clean</th>
                  </tr>
                </thead>
                <tbody>
                  {u.bundles.map((b) => (
                    <tr key={b.path}>
                      <td title={b.path}>{b.name ?? b.path.split('/').at(-1)}</td>
                      <td>{formatBytes(b.bytes)}</td>
                      <td>
                        {b.folders.map((f) => (
                          <span key={f.path} className="block" title={f.path}>
                            {f.kind} {f.id.slice(0, 8)}: {formatBytes(f.bytes)}
                          </span>
                        ))}
                      </td>
                      <td className={b.removable ? '' : 'hint'}>
                        {b.removable ? 'removable' : 'kept'}: {b.note}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </details>
        );
      })}
    </>
  );
}

/** History's strip: how much each cluster profile's work folder holds (measured on the cluster). */
export function ClusterUsagePanel() {
  const { data: profiles } = useQuery('clusters.list', {});
  if (!profiles || profiles.length === 0) return null;
  return <MeasuredUsage />;
}

function MeasuredUsage() {
  const { data, error, loading, reload } = useQuery('clusters.usage', {});
  return (
    <section className="cluster-usage" aria-label="Cluster work folders">
      <div className="row">
        <h2>Cluster work folders</h2>
        <button type="button" onClick={reload} disabled={loading}>
          {loading ? 'Measuring…' : 'Measure again'}
        </button>
      </div>
      {error && <p className="field-error">{error.message}</p>}
      {data && <ClusterUsageView usage={data.clusters} />}
    </section>
  );
}
