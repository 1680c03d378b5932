import { useState } from 'react';
import { useQuery } from '../api/use-query';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { formatDateTime } from '../format';
import { href } from '../routes';
import { ImportWizard } from './import-wizard';

/** The dataset library and the import wizard. */
export function DatasetsPage() {
  const { data, error, reload } = useQuery('datasets.list', {});
  const [importing, setImporting] = useState(false);
  return (
    <section>
      <header className="page-head">
        <h1>Datasets</h1>
        <button
          type="button"
          className="primary"
          aria-expanded={importing}
          onClick={() => setImporting((v) => !v)}
        >
          {importing ? 'Close import' : 'Import dataset'}
        </button>
      </header>
      {importing && <ImportWizard onImported={reload} />}
      <ErrorBanner error={error} />
      {data && data.length === 0 ? (
        <EmptyState title="No datasets yet">
          Import a benchmark (VQA-RAD, SLAKE, PathVQA, PubMedQA, MedNLI, MeQSum, MedMNIST, ...) with{' '}
          <strong>Import dataset</strong> above, or from a terminal with{' '}
          <code>biomed datasets import PATH</code>.
        </EmptyState>
      ) : (
        <>
          {(data ?? []).some((d) => d.synthetic) && (
            <p className="hint" role="note" aria-label="Demo datasets">
              The {(data ?? []).filter((d) => d.synthetic).length} datasets marked <em>synthetic</em> are
              generated demo data (no patients), added to the empty library so every page has something to try
              in seconds. Delete them whenever you like; your own imports sit beside them.
            </p>
          )}
          <table aria-label="Datasets">
            <thead>
              <tr>
                <th>Name</th>
                <th>Task</th>
                <th>Format</th>
                <th>Examples</th>
                <th>Train / validation / test</th>
                <th>Imported</th>
              </tr>
            </thead>
            <tbody>
              {(data ?? []).map((d) => (
                <tr key={d.id}>
                  <td>
                    <a href={href.dataset(d.id)}>{d.name}</a>{' '}
                    {d.synthetic && (
                      <span className="badge synthetic" title="Generated demo data, not real patients">
                        synthetic
                      </span>
                    )}
                  </td>
                  <td>{d.task}</td>
                  <td>{d.format}</td>
                  <td>{d.examples.toLocaleString()}</td>
                  <td>
                    {['train', 'validation', 'test']
                      .map((s) => (d.splits[s] ?? 0).toLocaleString())
                      .join(' / ')}
                  </td>
                  <td>{formatDateTime(d.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
