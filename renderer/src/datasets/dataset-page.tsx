import { useState } from 'react';
import { type SkippedRecord, SPLITS } from '#shared/domain/dataset';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { BarList } from '../components/bar-list';
import { ErrorBanner } from '../components/error-banner';
import { formatDateTime } from '../format';
import { href } from '../routes';
import { ExampleGrid } from './example-grid';
import { SkippedList } from './skipped-list';

/** One dataset: facts, split and label histograms, and its examples. */
export function DatasetPage({ id }: { id: string }) {
  const api = useApi();
  const { data: d, error } = useQuery('datasets.get', { id });
  const [confirm, setConfirm] = useState(false);
  const { submit: remove, error: deleteError } = useSubmit(async () => {
    await api.invoke('datasets.delete', { id });
    window.location.hash = '#/datasets';
  });
  return (
    <section>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <a href="#/datasets">Datasets</a> /
      </nav>
      <ErrorBanner error={error} />
      {d && (
        <>
          <header className="page-head">
            <h1>
              {d.name}{' '}
              {d.synthetic && (
                <span className="badge synthetic" title="Generated demo data, not real patients">
                  synthetic
                </span>
              )}
            </h1>
            <a className="button primary" href={href.newExperiment(d.id)}>
              Fine-tune on this dataset
            </a>
            {confirm ? (
              <>
                <button type="button" className="danger" onClick={remove}>
                  Yes, delete {d.name}
                </button>
                <button type="button" onClick={() => setConfirm(false)}>
                  Keep it
                </button>
              </>
            ) : (
              <button type="button" onClick={() => setConfirm(true)}>
                Delete dataset
              </button>
            )}
          </header>
          <ErrorBanner error={deleteError} />
          <dl className="facts">
            <dt>Format</dt>
            <dd>{d.format}</dd>
            <dt>Task</dt>
            <dd>{d.task}</dd>
            <dt>Examples</dt>
            <dd>{d.examples.toLocaleString()}</dd>
            <dt>Images</dt>
            <dd>{d.images.toLocaleString()}</dd>
            <dt>Source</dt>
            <dd>
              <code>{d.sourcePath ?? 'generated'}</code>
            </dd>
            <dt>Imported</dt>
            <dd>{formatDateTime(d.createdAt)}</dd>
          </dl>
          <div className="histograms">
            <BarList title="Examples per split" data={d.splits} order={SPLITS} />
            {Object.keys(d.answerTypes).length > 0 && <BarList title="Answer types" data={d.answerTypes} />}
            <BarList title="Most frequent answers (closed questions)" data={d.labels} limit={15} />
          </div>
          <ImportProvenance meta={d.meta} />
          <ExampleGrid datasetId={d.id} />
        </>
      )}
    </section>
  );
}

/** The records the import left out, as the dataset's provenance keeps them. */
function ImportProvenance({ meta }: { meta: Readonly<Record<string, unknown>> }) {
  const p = meta['provenance'] as { skipped?: SkippedRecord[]; skippedCount?: number } | undefined;
  if (!p?.skippedCount) return null;
  return <SkippedList skipped={p.skipped ?? []} count={p.skippedCount} />;
}
