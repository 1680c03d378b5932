import { useEffect, useState } from 'react';
import type { DatasetFormat, ImportProgressEvent, ImportReport } from '#shared/domain/dataset';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { ProgressBar } from '../components/progress-bar';
import { href } from '../routes';
import { DropZone } from './drop-zone';
import { ImportReportView } from './import-report-view';

type Step = 'source' | 'checked' | 'importing' | 'done';

/** Import in three steps: where (typed or dropped, format detected), a dry run, then the import. */
export function ImportWizard({ onImported }: { onImported: () => void }) {
  const api = useApi();
  const { data: formats } = useQuery('datasets.formats', {});
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<DatasetFormat | ''>('');
  const [detected, setDetected] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [strict, setStrict] = useState(false);
  const [frontal, setFrontal] = useState(false);
  const [crops, setCrops] = useState(false);
  const [step, setStep] = useState<Step>('source');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);

  // One import at a time from this window; the bar shows only while it runs.
  useEffect(() => api.on('onDidImportProgress', setProgress), [api]);

  const run = async <T,>(f: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await f();
    } catch (e) {
      setError(e as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const detect = (p: string) =>
    run(async () => {
      const d = await api.invoke('datasets.detect', { path: p });
      setDetected(d.label ?? null);
      setFormat(d.format ?? '');
      if (!d.format)
        throw new Error(
          `No known dataset format was recognised at ${p}. Choose its format in the Format list, or check the path.`,
        );
    });
  const request = (dryRun: boolean) => ({
    path,
    dryRun,
    ...(format ? { format } : {}),
    ...(name.trim() ? { name: name.trim() } : {}),
    options: {
      ...(strict ? { strict: true } : {}),
      ...(format === 'mimic-cxr' && frontal ? { views: 'frontal' as const } : {}),
      ...(format === 'cbis-ddsm' && crops ? { lesionCrops: true } : {}),
    },
  });
  /** A publisher option: a checkbox that, like strict, invalidates the last dry run. */
  const optionBox = (checked: boolean, set: (v: boolean) => void, text: string) => (
    <label className="check">
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => {
          set(e.target.checked);
          setStep('source');
          setReport(null);
        }}
      />{' '}
      {text}
    </label>
  );
  const dryRun = () =>
    run(async () => {
      const r = await api.invoke('datasets.import', request(true));
      setReport(r);
      if (!name) setName(r.name);
      setStep('checked');
    });
  const doImport = async () => {
    setStep('importing');
    setProgress(null);
    const r = await run(() => api.invoke('datasets.import', request(false)));
    if (r) {
      setReport(r);
      setStep('done');
      onImported();
    } else setStep('checked');
  };
  const errors = report?.problems.filter((p) => p.severity === 'error').length ?? 0;

  return (
    <section className="wizard" aria-label="Import a dataset">
      <h2>Import a dataset</h2>
      <DropZone
        onPath={(p) => {
          setPath(p);
          setStep('source');
          setReport(null);
          detect(p);
        }}
        onError={setError}
      />
      <div className="row">
        <div className="field grow">
          <label htmlFor="import-path">File or folder</label>
          <input
            id="import-path"
            value={path}
            placeholder="/data/vqa_rad or ../shared/data/vqa_rad"
            onChange={(e) => {
              setPath(e.target.value);
              setStep('source');
              setReport(null);
            }}
            onBlur={() => path.trim() && !format && detect(path.trim())}
          />
        </div>
        <div className="field">
          <label htmlFor="import-format">Format</label>
          <select
            id="import-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as DatasetFormat)}
          >
            <option value="">Detect automatically</option>
            {(formats ?? []).map((f) => (
              <option key={f.format} value={f.format} title={f.description}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="import-name">Name</label>
          <input
            id="import-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="(from the data)"
          />
        </div>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={strict}
          onChange={(e) => {
            setStrict(e.target.checked);
            setStep('source');
            setReport(null);
          }}
        />{' '}
        Refuse the whole import if any record would be skipped (strict)
      </label>
      {format === 'mimic-cxr' && optionBox(frontal, setFrontal, 'Frontal views only (PA and AP)')}
      {format === 'cbis-ddsm' && optionBox(crops, setCrops, 'Cropped lesions instead of the full mammograms')}
      {detected && (
        <p className="hint" role="status">
          Detected format: <strong>{detected}</strong>
        </p>
      )}
      <div className="actions">
        <button type="button" disabled={!path.trim() || busy} onClick={dryRun}>
          Check (dry run)
        </button>
        <button
          type="button"
          className="primary"
          disabled={step !== 'checked' || busy || errors > 0}
          onClick={doImport}
          title={errors > 0 ? 'Fix the errors the dry run found first' : undefined}
        >
          Import
        </button>
      </div>
      <ErrorBanner error={error} />
      {step === 'importing' && (
        <ProgressBar
          label="Importing"
          done={progress?.done ?? 0}
          total={progress?.total || null}
          detail={progress ? `${progress.phase}: ${progress.message}` : 'starting'}
        />
      )}
      {report && <ImportReportView report={report} />}
      {step === 'done' && report?.datasetId && (
        <p className="ok" role="status">
          Imported. <a href={href.dataset(report.datasetId)}>Open {report.name}</a>
        </p>
      )}
    </section>
  );
}
