import { useState } from 'react';
import type { EvaluationMode } from '#shared/domain/evaluation';
import { MetricId } from '#shared/domain/metric';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';
import { formatMetric } from '../format';
import { parseFigure, parseParams } from './parse-figure';

/** Add a reference row: a published figure with its citation (required). */
export function ReferenceForm({
  defaultDataset,
  defaultMode,
  onAdded,
}: {
  defaultDataset: string;
  defaultMode: EvaluationMode;
  onAdded: () => void;
}) {
  const api = useApi();
  const [model, setModel] = useState('');
  const [dataset, setDataset] = useState(defaultDataset);
  const [mode, setMode] = useState<EvaluationMode>(defaultMode);
  const [metric, setMetric] = useState<string>('accuracy');
  const [figure, setFigure] = useState('');
  const [params, setParams] = useState('');
  const [citation, setCitation] = useState('');
  const [url, setUrl] = useState('');
  const [asQuoted, setAsQuoted] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const value = parseFigure(figure, metric);
  const paramCount = parseParams(params);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (value === null) {
      setError(new Error('Value: give the figure as printed, e.g. 71.6 or 0.716'));
      return;
    }
    setBusy(true);
    try {
      await api.invoke('referenceRows.add', {
        model,
        dataset: dataset || defaultDataset,
        mode,
        metric: metric as MetricId,
        value,
        valueText: figure,
        params: paramCount,
        citation,
        url: url.trim() || null,
        asQuoted,
      });
      setModel('');
      setFigure('');
      setCitation('');
      setUrl('');
      setError(undefined);
      onAdded();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="reference-form">
      <summary>Add a reference row</summary>
      <form aria-label="Add a reference row" onSubmit={submit}>
        <div className="row">
          <div className="field">
            <label htmlFor="ref-model">Model</label>
            <input id="ref-model" value={model} onChange={(e) => setModel(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor="ref-dataset">Dataset</label>
            <input id="ref-dataset" value={dataset} onChange={(e) => setDataset(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor="ref-mode">Mode</label>
            <select id="ref-mode" value={mode} onChange={(e) => setMode(e.target.value as EvaluationMode)}>
              <option value="finetuned">fine-tuned</option>
              <option value="zeroshot">zero-shot</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="ref-metric">Metric</label>
            <select id="ref-metric" value={metric} onChange={(e) => setMetric(e.target.value)}>
              {MetricId.options.map((m) => (
                <option key={m}>{m}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ref-value">Value as printed</label>
            <input id="ref-value" value={figure} onChange={(e) => setFigure(e.target.value)} required />
            <span className="hint">
              {value === null ? 'e.g. 71.6 or 0.716' : `stored as ${formatMetric(value)}`}
            </span>
          </div>
          <div className="field">
            <label htmlFor="ref-params">Parameters (optional)</label>
            <input
              id="ref-params"
              value={params}
              placeholder="182M"
              onChange={(e) => setParams(e.target.value)}
            />
          </div>
        </div>
        <div className="row">
          <div className="field" style={{ flex: 1, minWidth: 280 }}>
            <label htmlFor="ref-citation">Citation</label>
            <input
              id="ref-citation"
              value={citation}
              placeholder="Author et al. 2024, Table 3"
              onChange={(e) => setCitation(e.target.value)}
              required
            />
          </div>
          <div className="field" style={{ flex: 1, minWidth: 220 }}>
            <label htmlFor="ref-url">Link (optional)</label>
            <input id="ref-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
          </div>
          <div className="field checkbox">
            <input
              id="ref-quoted"
              type="checkbox"
              checked={asQuoted}
              onChange={(e) => setAsQuoted(e.target.checked)}
            />
            <label htmlFor="ref-quoted">as quoted by others</label>
          </div>
          <button type="submit" className="primary" disabled={busy}>
            Add reference
          </button>
        </div>
        <ErrorBanner error={error} />
      </form>
    </details>
  );
}
