import { useState } from 'react';
import type { EvaluationMode } from '#shared/domain/evaluation';
import type { ReferenceRow } from '#shared/domain/reference-row';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { ReferenceForm } from './reference-form';
import { ReferenceTable } from './reference-table';
import { ReproducePanel } from './reproduce-panel';

/**
 * Reference figures for a page: the table (published and the user's rows for these datasets,
 * or all), Reproduce on each row, and the form to add one. Rows come from the caller's query so
 * charts share them.
 */
export function ReferenceSection({
  rows,
  datasets,
  mode,
  onChange,
}: {
  rows: readonly ReferenceRow[];
  datasets: readonly string[];
  mode: EvaluationMode;
  onChange: () => void;
}) {
  const api = useApi();
  const [reproducing, setReproducing] = useState<ReferenceRow | null>(null);
  const { submit: remove, error } = useSubmit(async (r: ReferenceRow) => {
    await api.invoke('referenceRows.delete', { id: r.id });
    onChange();
  });
  return (
    <section aria-label="Reference figures" className="reference-section">
      <ReferenceTable
        rows={rows}
        caption={`Reference figures${datasets.length ? ` for ${datasets.join(', ')}` : ''}`}
        onDelete={remove}
        onReproduce={setReproducing}
      />
      {reproducing && (
        <ReproducePanel key={reproducing.id} row={reproducing} onClose={() => setReproducing(null)} />
      )}
      <ErrorBanner error={error} />
      <ReferenceForm defaultDataset={datasets[0] ?? ''} defaultMode={mode} onAdded={onChange} />
    </section>
  );
}
