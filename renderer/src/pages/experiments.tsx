import { useEffect, useState } from 'react';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { formatDateTime } from '../format';
import { RunPanel } from './run-panel';

/** History: every run in the store, newest first. */
export function ExperimentsPage() {
  const api = useApi();
  const { data, error, reload } = useQuery('runs.list', { limit: 200 });
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => api.on('onDidChangeRun', () => reload()), [api, reload]);
  const runs = data?.runs ?? [];
  return (
    <div className="split">
      <section className="grow">
        <h1>Experiments</h1>
        <ErrorBanner error={error} />
        {data && runs.length === 0 ? (
          <EmptyState title="No runs yet">
            Import a dataset on the <a href="#/datasets">Datasets</a> page, then launch a fine-tune. Runs from
            the command line (<code>biomed train</code>, <code>biomed demo</code>) appear here too.
          </EmptyState>
        ) : (
          <table className="runs" aria-label="Runs">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Scale</th>
                <th>Task</th>
                <th>Dataset</th>
                <th>Best metric</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r: RunSummary) => (
                <tr key={r.id} aria-selected={r.id === selected} onClick={() => setSelected(r.id)}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(r.id)}>
                      {r.name}
                    </button>
                  </td>
                  <td>
                    <span className={`status status-${r.status}`}>{r.status}</span>
                  </td>
                  <td>{r.scale}</td>
                  <td>{r.task}</td>
                  <td>{r.datasetName ?? ''}</td>
                  <td>{r.bestMetric === null ? '' : `${r.bestMetricName} ${r.bestMetric.toFixed(3)}`}</td>
                  <td>{formatDateTime(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {selected && <RunPanel id={selected} onClose={() => setSelected(null)} />}
    </div>
  );
}
