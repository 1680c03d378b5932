import { useEffect, useState } from 'react';
import type { WorkbenchSettings as Settings } from '#shared/api/settings';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/field';

/** Worker concurrency and de-identification policy of this data folder. */
export function WorkbenchSettingsForm() {
  const api = useApi();
  const { data, error } = useQuery('settings.get', {});
  const [draft, setDraft] = useState<Settings | null>(null);
  const [saved, setSaved] = useState(false);
  const { submit: save, error: saveError } = useSubmit(async (settings: Settings) => {
    setDraft(await api.invoke('settings.update', settings));
    setSaved(true);
  });
  useEffect(() => {
    if (data) setDraft(data);
  }, [data]);
  if (!draft) return <ErrorBanner error={error} />;
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
          save(draft);
        }}
      >
        <TextField
          id="worker-concurrency"
          label="Worker concurrency"
          type="number"
          min={1}
          max={16}
          value={String(draft.workerConcurrency)}
          onChange={(text) => change({ workerConcurrency: Number(text) })}
          hint="Training jobs run at once. One per machine is best on a CPU: a job already uses every core."
        />
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
