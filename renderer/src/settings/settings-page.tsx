import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { ClusterSettings } from './cluster-settings';
import { ThemePicker } from './theme-picker';
import { WorkbenchSettingsForm } from './workbench-settings';

/** Data folder, compute backends, clusters, workers, de-identification and theme. */
export function SettingsPage() {
  const { data: info, error } = useQuery('app.info', {});
  const gpuReady = info?.backends.some((b) => b.name.includes('gpu') && b.available) ?? false;
  const adapters = info?.backends.filter((b) => b.adapter) ?? [];
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
          {adapters.map(({ name, adapter: a }) =>
            a ? (
              <dl className="facts" key={name} aria-label="GPU adapter">
                <dt>GPU adapter</dt>
                <dd>
                  {a.description || a.device} ({[a.vendor, a.architecture].filter(Boolean).join(' ')})
                  {a.software ? ', software: not chosen automatically' : ''}
                </dd>
                <dt>Largest buffer</dt>
                <dd>{(a.limits.maxBufferSize / 2 ** 20).toFixed(0)} MiB</dd>
                <dt>Largest storage binding</dt>
                <dd>{(a.limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB</dd>
                <dt>Storage buffers per stage</dt>
                <dd>{a.limits.maxStorageBuffersPerShaderStage}</dd>
              </dl>
            ) : null,
          )}
          {!gpuReady && (
            <p className="hint">
              For GPU training, the workbench uses WebGPU on any hardware adapter (Vulkan, Metal or D3D12
              driver; nothing to install) or <code>@tensorflow/tfjs-node-gpu</code> where CUDA 11.2 and cuDNN
              8.1 are present. It picks the GPU automatically and records it on every run;{' '}
              <code>BIOMED_BACKEND=webgpu</code> forces WebGPU, software adapters included.
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
