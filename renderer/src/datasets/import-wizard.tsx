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
  // The format the user picked ('' = detect); detection belongs to the path it was made for, so a
  // new path means a new detection, never the previous folder's format.
  const [chosenFormat, setChosenFormat] = useState<DatasetFormat | ''>('');
  const [auto, setAuto] = useState<{ path: string; format: DatasetFormat | ''; label: string | null } | null>(
    null,
  );
  const [name, setName] = useState('');
  // The name the last dry run suggested: replaced by the next one, unlike a name the user typed.
  const [autoName, setAutoName] = useState('');
  const [strict, setStrict] = useState(false);
  const [frontal, setFrontal] = useState(false);
  const [crops, setCrops] = useState(false);
  const [maxSide, setMaxSide] = useState(String(DEFAULT_MAX_SIDE));
  const [step, setStep] = useState<Step>('source');
  const [report, setReport] = useState<ImportReport | null>(null);
  const [progress, setProgress] = useState<ImportProgressEvent | null>(null);
  const p = path.trim();
  const detection = auto && auto.path === p ? auto : null;
  const format = chosenFormat || detection?.format || '';
  const detected = detection?.label ?? null;

  // One import at a time from this window; the bar shows only while it runs.
  useEffect(() => api.on('onDidImportProgress', setProgress), [api]);

  // The dry run and the import share one busy flag and one error; detection runs beside them.
  const { submit: run, busy, error, setError } = useSubmit((f: () => Promise<void>) => f());
  const detectNow = async (at: string) => {
    const d = await api.invoke('datasets.detect', { path: at });
    const found = { path: at, format: d.format ?? '', label: d.label ?? null } as const;
    setAuto(found);
    return found;
  };
  const detect = (at: string) => {
    detectNow(at).then(
      (d) =>
        !d.format &&
        !chosenFormat &&
        setError(
          new Error(
            `No known dataset format was recognised at ${at}. Choose its format in the Format list, or check the path.`,
          ),
        ),
      (e: Error) => setError(e),
    );
  };
  /** A new path: the last detection, dry run and suggested name no longer apply. */
  const newPath = (next: string) => {
    setPath(next);
    setStep('source');
    setReport(null);
    setError(undefined);
    if (name === autoName) setName('');
    setAutoName('');
  };
  const request = (dryRun: boolean, fmt: DatasetFormat | '' = format) => ({
    path: p,
    dryRun,
    ...(fmt ? { format: fmt } : {}),
    ...(name.trim() ? { name: name.trim() } : {}),
    options: {
      ...(strict ? { strict: true } : {}),
      ...(fmt === 'mimic-cxr' && frontal ? { views: 'frontal' as const } : {}),
      ...(fmt === 'cbis-ddsm' && crops ? { lesionCrops: true } : {}),
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
      // The first click detects when detection has not answered for this path yet.
      const fmt = chosenFormat || (detection ?? (await detectNow(p))).format;
      const r = await api.invoke('datasets.import', request(true, fmt));
      setReport(r);
      if (!name || name === autoName) {
        setName(r.name);
        setAutoName(r.name);
      }
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
        onPath={(dropped) => {
          newPath(dropped);
          detect(dropped);
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
          onChange={newPath}
          onBlur={() => p && !chosenFormat && !detection && detect(p)}
        />
        <SelectField<DatasetFormat | ''>
          id="import-format"
          label="Format"
          value={format}
          options={[
            { value: '', label: 'Detect automatically' },
            ...(formats ?? []).map((f) => ({ value: f.format, label: f.label, title: f.description })),
          ]}
          onChange={setChosenFormat}
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
      {/* Always there (empty until a detection answers), so the buttons below never move under a click. */}
      <p className="hint detected-format" role="status">
        {detected && (
          <>
            Detected format: <strong>{detected}</strong>
          </>
        )}
      </p>
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
