import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';

/** Data folder, version and compute backends. */
export function SettingsPage() {
  const { data: info, error } = useQuery('app.info', {});
  return (
    <section>
      <h1>Settings</h1>
      <ErrorBanner error={error} />
      {info && (
        <>
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
                  <td>{b.chosen ? 'in use' : b.available ? 'available' : 'not available'}</td>
                  <td>{b.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="hint">
            For GPU training install <code>@tensorflow/tfjs-node-gpu</code> on a machine with CUDA and cuDNN;
            the workbench picks it automatically.
          </p>
        </>
      )}
    </section>
  );
}
