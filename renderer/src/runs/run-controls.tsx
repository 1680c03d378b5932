import { useState } from 'react';
import { RESUMABLE_STATUSES, type RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';

type Action = 'runs.cancel' | 'runs.pause' | 'runs.resume';

/** Cancel, pause and resume, each enabled only in the states where it means something. */
export function RunControls({
  run,
  onDone,
}: {
  run: RunSummary & { readonly checkpoints: readonly { readonly step: number }[] };
  onDone: () => void;
}) {
  const api = useApi();
  const [last, setLast] = useState<Action | null>(null);
  const {
    submit: act,
    busy,
    error,
  } = useSubmit(async (action: Action) => {
    setLast(action);
    await api.invoke(action, { id: run.id });
    onDone();
  });
  const pending = busy ? last : null;
  const live = run.status === 'running' || run.status === 'queued';
  return (
    <div className="run-controls">
      <fieldset aria-label="Run controls" className="row plain">
        <button type="button" disabled={!live || pending !== null} onClick={() => act('runs.pause')}>
          Pause
        </button>
        <button
          type="button"
          className="danger"
          disabled={!(live || run.status === 'paused') || pending !== null}
          onClick={() => act('runs.cancel')}
        >
          Cancel run
        </button>
        <button
          type="button"
          className="primary"
          disabled={!RESUMABLE_STATUSES.has(run.status) || pending !== null}
          onClick={() => act('runs.resume')}
          title={
            run.checkpoints.length === 0
              ? 'No checkpoint was written: the run starts again from step 0'
              : undefined
          }
        >
          {/* Without a checkpoint there is nothing to resume from: say that it restarts. */}
          {run.checkpoints.length === 0 && RESUMABLE_STATUSES.has(run.status)
            ? 'Restart from step 0'
            : `Resume${RESUMABLE_STATUSES.has(run.status) && run.checkpoints.length ? ` from step ${run.checkpoints.at(-1)?.step}` : ''}`}
        </button>
        {pending && <span className="hint">{pending.slice(5)}…</span>}
      </fieldset>
      <ErrorBanner error={error} />
    </div>
  );
}
