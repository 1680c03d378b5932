import { useState } from 'react';
import { SPLITS, type Split } from '#shared/domain/dataset';
import type { PipelinePreset } from '#shared/domain/evaluation';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { NumberField, SelectField } from '../components/field';
import { PipelineChoice } from '../components/pipeline-note';
import { useWhere, WhereField } from '../components/where-field';

/** Queue an evaluation of the run's latest checkpoint on a dataset split. */
export function EvaluateForm({ run, onQueued }: { run: RunSummary; onQueued: () => void }) {
  const api = useApi();
  const { data: datasets } = useQuery('datasets.list', {});
  const [datasetId, setDatasetId] = useState(run.datasetId ?? '');
  const [split, setSplit] = useState<Split>('test');
  const [limit, setLimit] = useState('');
  const [pipeline, setPipeline] = useState<PipelinePreset>('released');
  // A cluster run's checkpoints are on its cluster: evaluated there unless the user picks here.
  const where = useWhere(run.cluster?.cluster);
  const n = limit.trim() === '' ? null : Number(limit);
  const limitError =
    n !== null && (!Number.isInteger(n) || n < 1) ? 'A whole number above 0, or blank for all' : undefined;
  const { submit, busy, error } = useSubmit(async () => {
    await api.invoke('evaluations.create', {
      runId: run.id,
      datasetId,
      split,
      pipeline,
      ...(n ? { limit: n } : {}),
      ...where.cluster,
    });
    onQueued();
  });
  return (
    <form
      className="row"
      aria-label="Evaluate this run"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <SelectField
        id="eval-dataset"
        label="Dataset"
        value={datasetId}
        options={(datasets ?? []).map((d) => ({ value: d.id, label: d.name }))}
        onChange={setDatasetId}
      />
      <SelectField id="eval-split" label="Split" value={split} options={SPLITS} onChange={setSplit} />
      <NumberField
        id="eval-limit"
        label="Examples"
        value={limit}
        placeholder="all"
        hint="blank = whole split"
        error={limitError}
        onChange={setLimit}
      />
      <PipelineChoice id="eval-pipeline" value={pipeline} onChange={setPipeline} />
      <WhereField id="eval-where" {...where.field} />
      <button type="submit" disabled={busy || !datasetId || !!limitError}>
        Evaluate
      </button>
      <ErrorBanner error={error} />
    </form>
  );
}
