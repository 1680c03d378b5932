import { useState } from 'react';
import type { RunExportResult } from '#shared/api/run-export';
import type { RunDetail } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { SelectField } from '../components/field';
import { formatBytes } from '../format';

/**
 * "Export for PyTorch": the best evaluated checkpoint (else the last, or the step picked) as
 * fairseq-named safetensors + a Hugging Face OFA config.json under the run's folder (docs/export.md).
 */
export function RunExport({ run }: { run: RunDetail }) {
  const api = useApi();
  const [step, setStep] = useState<string>('');
  const [last, setResult] = useState<RunExportResult | undefined>();
  const {
    submit,
    busy: pending,
    error,
  } = useSubmit(async () => {
    setResult(await api.invoke('runs.export', { id: run.id, ...(step ? { step: Number(step) } : {}) }));
  });
  if (run.checkpoints.length === 0) return null;
  // A failed export hides the previous result.
  const result = error ? undefined : last;
  return (
    <section aria-label="Export" className="run-export">
      <h2>Export for PyTorch</h2>
      <div className="row">
        <SelectField
          id="export-step"
          label="Checkpoint to export"
          value={step}
          options={[
            { value: '', label: 'best evaluated, else last' },
            ...run.checkpoints.map((c) => ({ value: String(c.step), label: `step ${c.step}` })),
          ]}
          onChange={setStep}
        />
        <button type="button" disabled={pending} onClick={() => submit()}>
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
