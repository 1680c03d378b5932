import { useState } from 'react';
import type { EvaluationMode } from '#shared/domain/evaluation';
import { MetricId } from '#shared/domain/metric';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { CheckboxField, SelectField, TextField } from '../components/field';
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
  const value = parseFigure(figure, metric);
  const paramCount = parseParams(params);
  const { submit, busy, error } = useSubmit(async () => {
    if (value === null) throw new Error('Value: give the figure as printed, e.g. 71.6 or 0.716');
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
    onAdded();
  });
  return (
    <details className="reference-form">
      <summary>Add a reference row</summary>
      <form
        aria-label="Add a reference row"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="row">
          <TextField id="ref-model" label="Model" value={model} onChange={setModel} required />
          <TextField id="ref-dataset" label="Dataset" value={dataset} onChange={setDataset} required />
          <SelectField<EvaluationMode>
            id="ref-mode"
            label="Mode"
            value={mode}
            options={[
              { value: 'finetuned', label: 'fine-tuned' },
              { value: 'zeroshot', label: 'zero-shot' },
            ]}
            onChange={setMode}
          />
          <SelectField
            id="ref-metric"
            label="Metric"
            value={metric}
            options={MetricId.options}
            onChange={setMetric}
          />
          <TextField
            id="ref-value"
            label="Value as printed"
            value={figure}
            hint={value === null ? 'e.g. 71.6 or 0.716' : `stored as ${formatMetric(value)}`}
            onChange={setFigure}
            required
          />
          <TextField
            id="ref-params"
            label="Parameters (optional)"
            value={params}
            placeholder="182M"
            onChange={setParams}
          />
        </div>
        <div className="row">
          <TextField
            id="ref-citation"
            label="Citation"
            style={{ flex: 1, minWidth: 280 }}
            value={citation}
            placeholder="Author et al. 2024, Table 3"
            onChange={setCitation}
            required
          />
          <TextField
            id="ref-url"
            label="Link (optional)"
            style={{ flex: 1, minWidth: 220 }}
            type="url"
            value={url}
            onChange={setUrl}
          />
          <CheckboxField
            id="ref-quoted"
            label="as quoted by others"
            checked={asQuoted}
            onChange={setAsQuoted}
          />
          <button type="submit" className="primary" disabled={busy}>
            Add reference
          </button>
        </div>
        <ErrorBanner error={error} />
      </form>
    </details>
  );
}
