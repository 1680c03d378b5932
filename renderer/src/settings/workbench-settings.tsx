import { useEffect, useState } from 'react';
import type { WorkbenchSettings as Settings } from '#shared/api/settings';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';

/** Worker concurrency and de-identification policy of this data folder. */
export function WorkbenchSettingsForm() {
  const api = useApi();
  const { data, error } = useQuery('settings.get', {});
  const [draft, setDraft] = useState<Settings | null>(null);
  const [saveError, setSaveError] = useState<Error | undefined>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (data) setDraft(data);
  }, [data]);
  if (!draft) return <ErrorBanner error={error} />;
  const save = async () => {
    try {
      setDraft(await api.invoke('settings.update', draft));
      setSaveError(undefined);
      setSaved(true);
    } catch (e) {
      setSaveError(e as Error);
    }
  };
  const change = (patch: Partial<Settings>) => {
    setDraft({ ...draft, ...patch });
    setSaved(false);
  };
  return (
    <form
      className="settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <div className="field">
        <label htmlFor="worker-concurrency">Worker concurrency</label>
        <input
          id="worker-concurrency"
          type="number"
          min={1}
          max={16}
          value={draft.workerConcurrency}
          onChange={(e) => change({ workerConcurrency: Number(e.target.value) })}
          aria-describedby="worker-concurrency-hint"
        />
        <span id="worker-concurrency-hint" className="hint">
          Training jobs run at once. One per machine is best on a CPU: a job already uses every core.
        </span>
      </div>
      <fieldset className="radio-group">
        <legend>De-identification of DICOM files</legend>
        <label>
          <input
            type="radio"
            name="deid"
            checked={draft.deidentification === 'basic-profile'}
            onChange={() => change({ deidentification: 'basic-profile' })}
          />{' '}
          Remove identifying attributes (DICOM PS3.15 basic confidentiality profile), keep the images
        </label>
        <label>
          <input
            type="radio"
            name="deid"
            checked={draft.deidentification === 'refuse'}
            onChange={() => change({ deidentification: 'refuse' })}
          />{' '}
          Also refuse files whose header still names a patient
        </label>
      </fieldset>
      <div>
        <button type="submit">Save settings</button>
        {saved && <span className="ok">Saved</span>}
      </div>
      <ErrorBanner error={saveError} />
    </form>
  );
}
