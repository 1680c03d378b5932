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
    <>
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
        <div>
          <button type="submit">Save settings</button>
          {saved && <span className="ok">Saved</span>}
        </div>
        <ErrorBanner error={saveError} />
      </form>
      <section aria-label="De-identification" className="deid">
        <h3>De-identification of DICOM files</h3>
        <p>
          Every DICOM file is de-identified as it is imported, with the DICOM PS3.15 basic application-level
          confidentiality profile: names, IDs, dates, institutions and private tags are dropped before
          anything is stored; only the pixels and technical attributes (modality, body part, sizes) are kept.
          Patient IDs are read in memory only, to keep one patient's images in one split, and never written.
        </p>
      </section>
    </>
  );
}
