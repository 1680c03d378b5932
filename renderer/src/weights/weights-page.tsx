import { useState } from 'react';
import type { WeightsRecord } from '#shared/domain/weights';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { formatBytes, formatDateTime, formatParams } from '../format';
import { href } from '../routes';
import { LoadReportView } from './load-report-view';
import { WeightsImportForm } from './weights-import-form';

/** Where one imported weights file is used: runs started from it, evaluations decoded with it. */
function Usage({ id }: { id: string }) {
  const usage = useQuery('weights.usage', { id });
  const u = usage.data;
  if (!u) return <span className="hint">…</span>;
  if (u.runs.length === 0 && u.evaluations.length === 0) return <span className="hint">not used yet</span>;
  return (
    <div>
      {u.runs.map((r) => (
        <div key={r.id}>
          run <a href={href.run(r.id)}>{r.name}</a>
        </div>
      ))}
      {u.evaluations.map((e) => (
        <div key={e.id}>
          zero-shot on {e.datasetName ?? e.datasetId} ({e.status})
        </div>
      ))}
    </div>
  );
}

/** The imported-weights library: import (with the load report), list, where used, delete. */
export function WeightsPage() {
  const api = useApi();
  const list = useQuery('weights.list', {});
  const [open, setOpen] = useState<string | null>(null);
  const { submit: remove, error } = useSubmit(async (w: WeightsRecord) => {
    await api.invoke('weights.delete', { id: w.id });
    list.reload();
  });
  const rows = list.data ?? [];
  return (
    <section>
      <h1>Weights</h1>
      <p className="hint">
        Published BiomedGPT / OFA checkpoints (fairseq .pt, Hugging Face pytorch_model.bin or safetensors),
        checked key by key and stored as fp32 safetensors. Start fine-tunes from them in New experiment, or
        evaluate them zero-shot on the Zero-shot page.
      </p>
      <h2>Import</h2>
      <WeightsImportForm onImported={list.reload} />
      <h2>Imported weights</h2>
      <ErrorBanner error={list.error ?? error} />
      {rows.length === 0 ? (
        <EmptyState title="No weights imported yet">
          Give the path of a checkpoint above and press Import.
        </EmptyState>
      ) : (
        <table aria-label="Imported weights">
          <thead>
            <tr>
              <th>Name</th>
              <th>Architecture</th>
              <th>Parameters</th>
              <th>Source</th>
              <th>Stored</th>
              <th>Used by</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {rows.map((w) => (
              <tr key={w.id}>
                <td>
                  {w.name}
                  <div className="hint">{formatDateTime(w.createdAt)}</div>
                </td>
                <td>
                  {w.architecture.preset}
                  {w.fairseqArch ? <div className="hint">{w.fairseqArch}</div> : null}
                </td>
                <td>{formatParams(w.parameterCount)}</td>
                <td>
                  {w.sourceFormat}, {w.dtype}
                  {w.emaUsed ? ', EMA' : ''}
                  <div className="hint">{w.sourcePath}</div>
                </td>
                <td>
                  {formatBytes(w.storedBytes)}
                  <div>
                    <button
                      type="button"
                      className="link"
                      onClick={() => setOpen(open === w.id ? null : w.id)}
                    >
                      {open === w.id ? 'Hide' : 'Show'} load report
                    </button>
                  </div>
                </td>
                <td>
                  <Usage id={w.id} />
                </td>
                <td>
                  <button type="button" className="danger" onClick={() => remove(w)}>
                    Delete<span className="sr-only"> {w.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && rows.find((w) => w.id === open) && (
        <section aria-label="Stored load report">
          <h2>Load report: {rows.find((w) => w.id === open)?.name}</h2>
          <LoadReportView report={rows.find((w) => w.id === open)!.report} />
        </section>
      )}
    </section>
  );
}
