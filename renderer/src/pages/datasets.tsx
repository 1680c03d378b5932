import { useQuery } from '../api/use-query';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { formatDateTime } from '../format';

/** The dataset library. */
export function DatasetsPage() {
  const { data, error } = useQuery('datasets.list', {});
  return (
    <section>
      <h1>Datasets</h1>
      <ErrorBanner error={error} />
      {data && data.length === 0 ? (
        <EmptyState title="No datasets yet">
          Import a benchmark (VQA-RAD, SLAKE, PathVQA, PubMedQA, MedNLI, MeQSum, MedMNIST, ...) with{' '}
          <code>biomed datasets import PATH</code>.
        </EmptyState>
      ) : (
        <table aria-label="Datasets">
          <thead>
            <tr>
              <th>Name</th>
              <th>Task</th>
              <th>Format</th>
              <th>Examples</th>
              <th>Imported</th>
            </tr>
          </thead>
          <tbody>
            {(data ?? []).map((d) => (
              <tr key={d.id}>
                <td>
                  {d.name} {d.synthetic && <span className="badge">synthetic</span>}
                </td>
                <td>{d.task}</td>
                <td>{d.format}</td>
                <td>{d.examples}</td>
                <td>{formatDateTime(d.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
