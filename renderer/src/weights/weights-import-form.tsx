import { useEffect, useState } from 'react';
import type { WeightsImportResult } from '#shared/api/weights';
import type { WeightsImportProgressEvent } from '#shared/domain/weights';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/field';
import { ProgressBar } from '../components/progress-bar';
import { formatParams } from '../format';
import { LoadReportView } from './load-report-view';

/** Import published weights by path: check first (dry run), then import, with progress and the load report. */
export function WeightsImportForm({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const [path, setPath] = useState('');
  const [dictPath, setDictPath] = useState('');
  const [name, setName] = useState('');
  const [last, setResult] = useState<WeightsImportResult | undefined>();
  const [progress, setProgress] = useState<WeightsImportProgressEvent | undefined>();
  useEffect(
    () =>
      api.on('onDidWeightsImportProgress', (p) => {
        setProgress(p);
      }),
    [api],
  );
  const {
    submit: go,
    busy,
    error,
  } = useSubmit(async (dryRun: boolean) => {
    setProgress(undefined);
    const r = await api.invoke('weights.import', {
      path: path.trim(),
      ...(dictPath.trim() ? { dictPath: dictPath.trim() } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
      dryRun,
    });
    setResult(r);
    if (!dryRun) onImported();
  });
  // A failed check or import hides the previous result.
  const result = error ? undefined : last;
  const d = result?.detection;
  return (
    <form aria-label="Import weights" onSubmit={(e) => e.preventDefault()}>
      <div className="row">
        <TextField
          id="weights-path"
          label="Weights file (.pt, pytorch_model.bin, .safetensors)"
          style={{ flex: 2, minWidth: 320 }}
          value={path}
          placeholder="/data/biomedgpt/biomedgpt_tiny.pt"
          onChange={setPath}
        />
        <TextField
          id="weights-dict"
          label="Vocabulary: dict.txt or vocab.json (default: beside the weights)"
          style={{ flex: 1, minWidth: 220 }}
          value={dictPath}
          onChange={setDictPath}
        />
        <TextField id="weights-name" label="Name (optional)" value={name} onChange={setName} />
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
              : `Does not load: ${notLoadingReason(result.report)}. Nothing would be stored.`}{' '}
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

/** The one reason first: a problem (no vocabulary, ...) before key counts, which may all be fine. */
function notLoadingReason(r: {
  problems: readonly string[];
  missing: readonly unknown[];
  wrongShape: readonly unknown[];
}): string {
  if (r.problems[0]) return r.problems[0];
  const parts = [
    r.missing.length ? `${r.missing.length} weights missing` : '',
    r.wrongShape.length ? `${r.wrongShape.length} of the wrong shape` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'see the report below';
}
