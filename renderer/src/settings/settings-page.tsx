import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { ClusterSettings } from './cluster-settings';
import { ThemePicker } from './theme-picker';
import { WorkbenchSettingsForm } from './workbench-settings';

/** Data folder, compute backends, clusters, workers, de-identification and theme. */
export function SettingsPage() {
  const { data: info, error } = useQuery('app.info', {});
  const gpu = info?.backends.find((b) => b.name.includes('gpu'));
  return (
    <section className="settings">
      <h1>Settings</h1>
      <ErrorBanner error={error} />
      {info && (
        <>
          <h2>Data folder</h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd>{info.version}</dd>
            <dt>Data folder</dt>
            <dd>
              <code>{info.dataFolder}</code>
            </dd>
            <dt>Database</dt>
            <dd>
              <code>{info.databaseFile}</code> (schema {info.schemaVersion})
            </dd>
            <dt>Mode</dt>
            <dd>{info.transport === 'electron' ? 'Desktop app' : 'Browser mode'}</dd>
          </dl>
          <p className="hint">
            To use another folder, start the workbench with <code>BIOMED_HOME=/path/to/folder</code>.
          </p>
          <h2>Compute backends</h2>
          <table aria-label="Compute backends">
            <thead>
              <tr>
                <th>Backend</th>
                <th>State</th>
                <th>Detail</th>
              </tr>
            </thead>
            <tbody>
              {info.backends.map((b) => (
                <tr key={b.name}>
                  <td>{b.name}</td>
                  <td>
                    <span className={b.chosen ? 'state-ok' : b.available ? '' : 'hint'}>
                      {b.chosen ? 'in use' : b.available ? 'available' : 'not available'}
                    </span>
                  </td>
                  <td>{b.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!gpu?.available && (
            <p className="hint">
              For GPU training: on a machine with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1, run{' '}
              <code>npm install @tensorflow/tfjs-node-gpu</code> in the workbench folder and restart; the
              workbench picks it automatically and records it on every run.
            </p>
          )}
        </>
      )}
      <h2>Clusters</h2>
      <ClusterSettings />
      <h2>Workers and privacy</h2>
      <WorkbenchSettingsForm />
      <h2>Appearance</h2>
      <ThemePicker />
    </section>
  );
}
