import { useEffect, useState } from 'react';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { clusterLine } from '../components/cluster-badge';
import { ErrorBanner } from '../components/error-banner';
import { TextAreaField } from '../components/field';
import { formatDateTime } from '../format';
import { href } from '../routes';
import { TagEditor } from './tag-editor';

/** A run's details beside the history: facts, tags and note. */
export function RunPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const api = useApi();
  const { data: run, error, reload } = useQuery('runs.get', { id });
  const [note, setNote] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => setNote(run?.note ?? ''), [run?.note]);
  useEffect(() => api.on('onDidChangeRun', (e) => e.runId === id && reload()), [api, id, reload]);
  const { submit: save, error: saveError } = useSubmit(async () => {
    await api.invoke('runs.setNote', { id, note });
    setSaved(true);
    reload();
  });
  return (
    <aside className="panel" aria-label="Run details">
      <header>
        <h2>{run?.name ?? 'Run'}</h2>
        <button type="button" onClick={onClose} aria-label="Close run details">
          ×
        </button>
      </header>
      <ErrorBanner error={error} />
      {run && (
        <>
          <a className="button" href={href.run(id)}>
            Open run view
          </a>
          <dl>
            <dt>Status</dt>
            <dd>{run.status}</dd>
            <dt>Scale</dt>
            <dd>{run.scale}</dd>
            <dt>Task</dt>
            <dd>{run.task}</dd>
            <dt>Backend</dt>
            <dd>{run.backend ?? 'not started'}</dd>
            {run.cluster && (
              <>
                <dt>Cluster</dt>
                <dd>{clusterLine(run.cluster)}</dd>
              </>
            )}
            <dt>Progress</dt>
            <dd>
              step {run.step}
              {run.totalSteps ? ` of ${run.totalSteps}` : ''}
            </dd>
            <dt>Created</dt>
            <dd>{formatDateTime(run.createdAt)}</dd>
          </dl>
          {run.error && <p className="error">{run.error}</p>}
          <TagEditor runId={id} tags={run.tags} onChanged={reload} />
        </>
      )}
      <TextAreaField
        id="run-note"
        label="Note"
        value={note}
        rows={5}
        onChange={(text) => {
          setNote(text);
          setSaved(false);
        }}
      />
      <div>
        <button type="button" onClick={() => save()}>
          Save note
        </button>
        {saved && <span className="ok">Saved</span>}
      </div>
      <ErrorBanner error={saveError} />
    </aside>
  );
}
