import { useState } from 'react';
import type { RunExportResult } from '#shared/api/run-export';
import type { RunDetail } from '#shared/domain/run';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';
import { formatBytes } from '../format';

/**
 * "Export for PyTorch": the best evaluated checkpoint (else the last, or the step picked) as
 * fairseq-named safetensors + a Hugging Face OFA config.json under the run's folder (docs/export.md).
 */
export function RunExport({ run }: { run: RunDetail }) {
  const api = useApi();
  const [step, setStep] = useState<string>('');
  const [result, setResult] = useState<RunExportResult | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [pending, setPending] = useState(false);
  if (run.checkpoints.length === 0) return null;
  const submit = async () => {
    setPending(true);
    try {
      setResult(await api.invoke('runs.export', { id: run.id, ...(step ? { step: Number(step) } : {}) }));
      setError(undefined);
    } catch (e) {
      setError(e as Error);
      setResult(undefined);
    } finally {
      setPending(false);
    }
  };
  return (
    <section aria-label="Export" className="run-export">
      <h2>Export for PyTorch</h2>
      <div className="row">
        <label>
          Checkpoint{' '}
          <select value={step} onChange={(e) => setStep(e.target.value)} aria-label="Checkpoint to export">
            <option value="">best evaluated, else last</option>
            {run.checkpoints.map((c) => (
              <option key={c.id} value={String(c.step)}>
                step {c.step}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={pending} onClick={submit}>
          {pending ? 'Exporting…' : 'Export for PyTorch'}
        </button>
      </div>
      <ErrorBanner error={error} />
      {result && (
        <div role="status" aria-label="Export result">
          <p>
            Step {result.step} (
            {result.chosen === 'best' && result.bestMetric
              ? `best ${result.bestMetric.name} = ${result.bestMetric.value.toFixed(3)}`
              : result.chosen === 'last'
                ? 'last checkpoint'
                : 'as chosen'}
            ), {result.tensors} tensors with fairseq names, written to <code>{result.dir}</code>
          </p>
          <ul>
            {result.files.map((f) => (
              <li key={f.name}>
                <code>{f.name}</code> {formatBytes(f.bytes)}
              </li>
            ))}
          </ul>
          <p className="hint">Load it in PyTorch as docs/export.md shows.</p>
        </div>
      )}
    </section>
  );
}
