import { useEffect, useState } from 'react';
import {
  type DatasetFormat,
  DEFAULT_MAX_SIDE,
  type ImportProgressEvent,
  type ImportReport,
} from '#shared/domain/dataset';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { SelectField, TextField } from '../components/field';
import { ProgressBar } from '../components/progress-bar';
import { href } from '../routes';
import { DropZone } from './drop-zone';
import { ImportReportView } from './import-report-view';

type Step = 'source' | 'checked' | 'importing' | 'done';

/** Long sides the wizard offers for stored images (`maxSide`); the default first. */
const SIZES = [
  { value: String(DEFAULT_MAX_SIDE), label: `${DEFAULT_MAX_SIDE} px (the largest model input x 1.25)` },
  ...[256, 384, 512, 768, 1024]
    .filter((s) => s !== DEFAULT_MAX_SIDE)
    .map((s) => ({ value: String(s), label: `${s} px` })),
  { value: 'original', label: 'Original size (no downscaling; uses the most disk)' },
];

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
  const [maxSide, setMaxSide] = useState(String(DEFAULT_MAX_SIDE));
  const [step, setStep] = useState<Step>('source');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);

  // One import at a time from this window; the bar shows only while it runs.
  useEffect(() => api.on('onDidImportProgress', setProgress), [api]);

  // Detection, the dry run and the import share one busy flag and one error.
  const { submit: run, busy, error, setError } = useSubmit((f: () => Promise<void>) => f());
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
      maxSide: maxSide === 'original' ? ('original' as const) : Number(maxSide),
    },
  });
  /** An import option (strict, or a publisher's): a checkbox that invalidates the last dry run. */
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
    const ok = await run(async () => {
      setReport(await api.invoke('datasets.import', request(false)));
      setStep('done');
      onImported();
    });
    if (!ok) setStep('checked');
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
        <TextField
          id="import-path"
          label="File or folder"
          className="grow"
          value={path}
          placeholder="/data/vqa_rad or ../shared/data/vqa_rad"
          onChange={(p) => {
            setPath(p);
            setStep('source');
            setReport(null);
          }}
          onBlur={() => path.trim() && !format && detect(path.trim())}
        />
        <SelectField<DatasetFormat | ''>
          id="import-format"
          label="Format"
          value={format}
          options={[
            { value: '', label: 'Detect automatically' },
            ...(formats ?? []).map((f) => ({ value: f.format, label: f.label, title: f.description })),
          ]}
          onChange={setFormat}
        />
        <TextField
          id="import-name"
          label="Name"
          value={name}
          placeholder="(from the data)"
          onChange={setName}
        />
        <SelectField<string>
          id="import-max-side"
          label="Stored image size (long side)"
          value={maxSide}
          options={SIZES}
          onChange={(v) => {
            setMaxSide(v);
            setStep('source');
            setReport(null);
          }}
        />
      </div>
      {optionBox(strict, setStrict, 'Refuse the whole import if any record would be skipped (strict)')}
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
