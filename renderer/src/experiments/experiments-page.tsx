import { useCallback, useState } from 'react';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { href } from '../routes';
import { ClusterUsagePanel } from './cluster-usage';
import { HistoryFilters } from './history-filters';
import { RunPanel } from './run-panel';
import { RunTable } from './run-table';
import { type RunFilter, useRunList } from './use-run-list';

const NO_FILTER: RunFilter = { sort: 'createdAt', order: 'desc' };

/** History: every run ever made, virtualised, filtered and sorted at the API. */
export function ExperimentsPage() {
  const api = useApi();
  const [filter, setFilter] = useState<RunFilter>(NO_FILTER);
  const { pages, error, ensure, reload } = useRunList(filter);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [openId, setOpenId] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const {
    submit: deleteSelected,
    error: actionError,
    setError: setActionError,
  } = useSubmit(async () => {
    for (const id of selected) await api.invoke('runs.delete', { id });
    setSelected(new Set());
    if (openId && selected.has(openId)) setOpenId(null);
  });

  const onSelect = useCallback((id: string, on: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);
  const onStar = useCallback(
    (run: RunSummary) => {
      api.invoke('runs.star', { id: run.id, starred: !run.starred }).catch(setActionError);
    },
    [api, setActionError],
  );
  const onSort = useCallback((sort: string) => {
    setFilter((f) => ({ ...f, sort, order: f.sort === sort && f.order === 'desc' ? 'asc' : 'desc' }));
  }, []);
  const remove = async () => {
    setConfirming(false);
    await deleteSelected();
    reload();
  };

  const filtered = JSON.stringify(filter) !== JSON.stringify(NO_FILTER);
  const ids = [...selected];
  return (
    <div className="split">
      <section className="grow history">
        <header className="page-head">
          <h1>Experiments</h1>
          <a className="button primary" href={href.newExperiment()}>
            New experiment
          </a>
        </header>
        <HistoryFilters filter={filter} onChange={setFilter} />
        <ClusterUsagePanel />
        <div className="toolbar" role="toolbar" aria-label="Selected runs">
          <span aria-live="polite">
            {pages ? `${pages.total.toLocaleString()} run${pages.total === 1 ? '' : 's'}` : 'Loading…'}
            {selected.size > 0 && `, ${selected.size} selected`}
          </span>
          <a
            className={`button${ids.length < 2 ? ' disabled' : ''}`}
            aria-disabled={ids.length < 2}
            href={ids.length >= 2 ? href.compare(ids) : undefined}
          >
            Compare selected
          </a>
          {confirming ? (
            <>
              <span>
                Delete {selected.size === 1 ? '1 run' : `${selected.size} runs`} with their checkpoints?
              </span>
              <button type="button" className="danger" onClick={remove}>
                Yes, delete
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                Keep them
              </button>
            </>
          ) : (
            <button type="button" disabled={selected.size === 0} onClick={() => setConfirming(true)}>
              Delete selected
            </button>
          )}
          {selected.size > 0 && (
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          )}
        </div>
        <ErrorBanner error={error ?? actionError} />
        {pages && pages.total === 0 && !filtered ? (
          <EmptyState title="No runs yet">
            Import a dataset on the <a href="#/datasets">Datasets</a> page, then launch a fine-tune from{' '}
            <a href={href.newExperiment()}>New experiment</a>. Runs from the command line (
            <code>biomed train</code>, <code>biomed demo</code>) appear here too.
          </EmptyState>
        ) : pages && pages.total === 0 ? (
          <p className="hint">No run matches these filters.</p>
        ) : pages ? (
          <RunTable
            pages={pages}
            filter={filter}
            selected={selected}
            openId={openId}
            ensure={ensure}
            onSort={onSort}
            onSelect={onSelect}
            onOpen={setOpenId}
            onStar={onStar}
          />
        ) : null}
      </section>
      {openId && <RunPanel id={openId} onClose={() => setOpenId(null)} />}
    </div>
  );
}
