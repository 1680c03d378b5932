import { useState } from 'react';
import { SPLITS, type Split } from '#shared/domain/dataset';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';

/** Queue an evaluation of the run's latest checkpoint on a dataset split. */
export function EvaluateForm({ run, onQueued }: { run: RunSummary; onQueued: () => void }) {
  const api = useApi();
  const { data: datasets } = useQuery('datasets.list', {});
  const [datasetId, setDatasetId] = useState(run.datasetId ?? '');
  const [split, setSplit] = useState<Split>('test');
  const [limit, setLimit] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const n = limit.trim() === '' ? null : Number(limit);
  const limitError =
    n !== null && (!Number.isInteger(n) || n < 1) ? 'A whole number above 0, or blank for all' : undefined;
  const submit = async () => {
    setBusy(true);
    try {
      await api.invoke('evaluations.create', { runId: run.id, datasetId, split, ...(n ? { limit: n } : {}) });
      setError(undefined);
      onQueued();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="row"
      aria-label="Evaluate this run"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="field">
        <label htmlFor="eval-dataset">Dataset</label>
        <select id="eval-dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
          {(datasets ?? []).map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="eval-split">Split</label>
        <select id="eval-split" value={split} onChange={(e) => setSplit(e.target.value as Split)}>
          {SPLITS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="eval-limit">Examples</label>
        <input
          id="eval-limit"
          value={limit}
          placeholder="all"
          aria-invalid={limitError ? true : undefined}
          aria-describedby="eval-limit-msg"
          onChange={(e) => setLimit(e.target.value)}
        />
        <span id="eval-limit-msg" className={limitError ? 'field-error' : 'hint'}>
          {limitError ?? 'blank = whole split'}
        </span>
      </div>
      <button type="submit" disabled={busy || !datasetId || !!limitError}>
        Evaluate
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
