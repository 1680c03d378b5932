import { useEffect, useState } from 'react';
import type { WeightsImportResult } from '#shared/api/weights';
import type { WeightsImportProgressEvent } from '#shared/domain/weights';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';
import { ProgressBar } from '../components/progress-bar';
import { formatParams } from '../format';
import { LoadReportView } from './load-report-view';

/** Import published weights by path: check first (dry run), then import, with progress and the load report. */
export function WeightsImportForm({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [dictPath, setDictPath] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [result, setResult] = useState<WeightsImportResult | undefined>();
  const [progress, setProgress] = useState<WeightsImportProgressEvent | undefined>();
  useEffect(
    () =>
      api.on('onDidWeightsImportProgress', (p) => {
        setProgress(p);
      }),
    [api],
  );
  const go = async (dryRun: boolean) => {
    setBusy(true);
    setProgress(undefined);
    try {
      const r = await api.invoke('weights.import', {
        path: path.trim(),
        ...(dictPath.trim() ? { dictPath: dictPath.trim() } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
        dryRun,
      });
      setResult(r);
      setError(undefined);
      if (!dryRun) onImported();
    } catch (e) {
      setError(e as Error);
      setResult(undefined);
    } finally {
      setBusy(false);
    }
  };
  const d = result?.detection;
  return (
    <form aria-label="Import weights" onSubmit={(e) => e.preventDefault()}>
      <div className="row">
        <div className="field" style={{ flex: 2, minWidth: 320 }}>
          <label htmlFor="weights-path">Weights file (.pt, pytorch_model.bin, .safetensors)</label>
          <input
            id="weights-path"
            value={path}
            placeholder="/data/biomedgpt/biomedgpt_tiny.pt"
            onChange={(e) => setPath(e.target.value)}
          />
        </div>
        <div className="field" style={{ flex: 1, minWidth: 220 }}>
          <label htmlFor="weights-dict">dict.txt (default: beside the weights)</label>
          <input id="weights-dict" value={dictPath} onChange={(e) => setDictPath(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="weights-name">Name (optional)</label>
          <input id="weights-name" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
      </div>
      <div className="actions">
        <button type="button" disabled={busy || !path.trim()} onClick={() => go(true)}>
          Check
        </button>
        <button type="button" className="primary" disabled={busy || !path.trim()} onClick={() => go(false)}>
          Import
        </button>
      </div>
      {progress && busy && (
        <ProgressBar
          label={`${progress.phase}: ${progress.message}`}
          done={progress.done}
          total={progress.total || null}
        />
      )}
      <ErrorBanner error={error} />
      {result && d && (
        <section aria-label="Import result">
          <p role="status">
            {result.ok
              ? result.dryRun
                ? 'Loads completely (nothing stored yet).'
                : `Imported as "${result.record?.name}".`
              : 'Does not load completely: nothing would be stored.'}{' '}
            {d.architecture
              ? `${d.architecture.preset}, ${formatParams(d.parameterCount)} parameters`
              : 'architecture not recognised'}
            {` · ${d.sourceFormat}, ${d.dtype}`}
            {d.emaUsed ? ' · EMA weights' : ''}
            {d.fairseqArch ? ` · ${d.fairseqArch}` : ''}
            {d.vocabulary ? ` · vocabulary ${d.vocabulary.size.toLocaleString('en')} ids` : ''}
          </p>
          <LoadReportView report={result.report} />
        </section>
      )}
    </form>
  );
}
