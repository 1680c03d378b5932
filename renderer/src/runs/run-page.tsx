import { useQuery } from '../api/use-query';
import { clusterLine } from '../components/cluster-badge';
import { ErrorBanner } from '../components/error-banner';
import { formatBytes, formatDateTime, formatParams } from '../format';
import { useRunEvents } from '../hooks/use-run-events';
import { RunCharts } from './run-charts';
import { RunControls } from './run-controls';
import { RunEvaluations } from './run-evaluations';
import { RunExport } from './run-export';
import { RunProgress } from './run-progress';
import { useLiveMetrics } from './use-live-metrics';

/** A run as it happens: progress, controls, live charts, log, checkpoints and evaluations. */
export function RunPage({ id }: { id: string }) {
  const run = useQuery('runs.get', { id });
  const metrics = useLiveMetrics(id);
  const r = run.data;
  const active = r?.status === 'running' || r?.status === 'queued';
  useRunEvents(
    id,
    () => {
      run.reload();
    },
    active,
  );
  const series = metrics.series;
  return (
    <section className="run-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href="#/experiments">Experiments</a> /
      </nav>
      <ErrorBanner error={run.error} />
      {r && (
        <>
          <header className="page-head">
            <h1>{r.name}</h1>
            <span className={`status status-${r.status}`} role="status" aria-label="Run status">
              {r.status}
            </span>
          </header>
          <p className="hint">
            {r.task} · {r.datasetName ?? 'no dataset'} ·{' '}
            {r.initWeights?.preset === 'custom' ? 'custom architecture' : r.scale}
            {r.params ? ` (${formatParams(r.params)} parameters)` : ''} ·{' '}
            {r.backend ?? 'backend not chosen yet'}
            {r.device ? ` on ${r.device}` : ''} · created {formatDateTime(r.createdAt)}
          </p>
          {r.initWeights && (
            <p className="hint">
              Started from imported weights <a href="#/weights">"{r.initWeights.name}"</a> (
              {r.initWeights.preset}, {formatParams(r.initWeights.params)} parameters).
            </p>
          )}
          {r.cluster && <p className="hint">Slurm: {clusterLine(r.cluster)}</p>}
          {r.error && (
            <p className="error" role="alert">
              {r.error}
            </p>
          )}
          <RunProgress run={r} series={series} />
          <RunControls run={r} onDone={run.reload} />
          <h2>Training curves</h2>
          <ErrorBanner error={metrics.error} />
          <RunCharts series={series} />
          <div className="two-col">
            <section aria-label="Log">
              <h2>Log</h2>
              <pre className="log">{r.logTail || 'Nothing logged yet.'}</pre>
            </section>
            <section aria-label="Checkpoints">
              <h2>Checkpoints</h2>
              {r.checkpoints.length === 0 ? (
                <p className="hint">None yet.</p>
              ) : (
                <table aria-label="Checkpoints">
                  <thead>
                    <tr>
                      <th>Step</th>
                      <th>Size</th>
                      <th>Written</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.checkpoints.map((c) => (
                      <tr key={c.id}>
                        <td>{c.step}</td>
                        <td>{formatBytes(c.bytes)}</td>
                        <td>{formatDateTime(c.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <RunEvaluations run={r} />
          <RunExport run={r} />
        </>
      )}
    </section>
  );
}
