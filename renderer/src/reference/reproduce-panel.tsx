import { useEffect, useMemo, useState } from 'react';
import { SPLITS, type Split } from '#shared/domain/dataset';
import { datasetKey, type ReferenceRow } from '#shared/domain/reference-row';
import type { Reproduction } from '#shared/domain/reproduction';
import { describeDecoding, describePipeline } from '#shared/evaluation-pipelines';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { NumberField, SelectField } from '../components/field';
import { ReproductionResult } from './reproduction-result';

/** The latest reproduction of a row (its evaluation and verdict), followed live while it runs. */
function useReproduction(row: ReferenceRow) {
  const api = useApi();
  const evals = useQuery('evaluations.list', {});
  const [tick, setTick] = useState(0);
  const [evaluationId, setEvaluationId] = useState('');
  const [result, setResult] = useState<Reproduction | undefined>();
  useEffect(() => api.on('onDidChangeEvaluation', () => setTick((t) => t + 1)), [api]);
  const latest = useMemo(
    () => (evals.data ?? []).filter((e) => e.pipeline?.reproduces === row.id).at(-1)?.id ?? '',
    [evals.data, row.id],
  );
  const id = evaluationId || latest;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` refreshes on evaluation events
  useEffect(() => {
    if (!id) return;
    let live = true;
    api.invoke('referenceRows.reproduction', { evaluationId: id }).then(
      (r) => live && setResult(r),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, id, tick]);
  return { result: result?.evaluation.id === id ? result : undefined, setEvaluationId };
}

/**
 * Reproduce a reference row: names what it needs (the row's weights, dataset and split, its
 * script's decoding and metric pipeline), lets the user pick imported weights and an imported
 * dataset of the row's task, runs that evaluation (`referenceRows.reproduce`, an ordinary
 * evaluation) and shows the result beside the cited figure with the 95% CI and the verdict.
 */
export function ReproducePanel({ row, onClose }: { row: ReferenceRow; onClose: () => void }) {
  const api = useApi();
  const { data: weights } = useQuery('weights.list', {});
  const { data: datasets } = useQuery('datasets.list', {});
  const [weightsId, setWeightsId] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [split, setSplit] = useState<Split>(row.split);
  const [limit, setLimit] = useState('');
  // Datasets of the row's name first, then others of its task, then the rest (refused with a reason).
  const ordered = useMemo(() => {
    const rank = (d: { name: string; task: string }) =>
      datasetKey(d.name) === datasetKey(row.dataset) ? 0 : !row.task || d.task === row.task ? 1 : 2;
    return [...(datasets ?? [])].sort((a, b) => rank(a) - rank(b));
  }, [datasets, row.dataset, row.task]);
  const wid = weightsId || weights?.[0]?.id || '';
  const did = datasetId || ordered[0]?.id || '';
  const dataset = ordered.find((d) => d.id === did);
  const plan = useQuery('referenceRows.plan', { rowId: row.id, ...(did ? { datasetId: did } : {}) });
  const { result, setEvaluationId } = useReproduction(row);
  const n = limit.trim() === '' ? null : Number(limit);
  const limitError =
    n !== null && (!Number.isInteger(n) || n < 1) ? 'A whole number above 0, or blank for all' : undefined;
  const wrongTask =
    dataset && row.task && dataset.task !== row.task
      ? `${dataset.name} is a ${dataset.task} dataset; this is a ${row.task} figure on ${row.dataset}`
      : undefined;
  const running = result && (result.evaluation.status === 'queued' || result.evaluation.status === 'running');
  const { submit, busy, error } = useSubmit(async () => {
    const r = await api.invoke('referenceRows.reproduce', {
      rowId: row.id,
      weightsId: wid,
      datasetId: did,
      split,
      ...(n ? { limit: n } : {}),
    });
    setEvaluationId(r.evaluation.id);
  });
  const cancel = useSubmit(async () => {
    if (result) await api.invoke('evaluations.cancel', { id: result.evaluation.id });
  });
  const p = plan.data;
  return (
    <section className="reproduce-panel" aria-label={`Reproduce ${row.model} ${row.dataset} ${row.metric}`}>
      <header className="row" style={{ justifyContent: 'space-between', margin: 0 }}>
        <strong>
          Reproduce {row.model} · {row.dataset} {row.split} · {row.metric}
        </strong>
        <button type="button" onClick={onClose}>
          Close<span className="sr-only"> reproduce panel</span>
        </button>
      </header>
      <dl className="reproduce-needs" aria-label="What it needs">
        <dt>Weights</dt>
        <dd>{row.model}, imported on the Weights page</dd>
        <dt>Dataset</dt>
        <dd>
          {row.dataset} ({row.task ?? 'its task'}), {row.split} split
          {row.n ? `, ${row.n.toLocaleString('en-US')} examples in the source` : ''}
        </dd>
        <dt>Decoding</dt>
        <dd>
          {p ? `${p.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'}, ${describeDecoding(p.decoding)}` : '…'}
        </dd>
        <dt>Metrics</dt>
        <dd>{p ? describePipeline(p.pipeline) : '…'}</dd>
      </dl>
      {!weights || weights.length === 0 ? (
        <p className="field-error" role="alert">
          No imported weights: import the weights of {row.model} on the <a href="#/weights">Weights</a> page
          first.
        </p>
      ) : !datasets || datasets.length === 0 ? (
        <p className="field-error" role="alert">
          No dataset: import {row.dataset} on the <a href="#/datasets">Datasets</a> page first.
        </p>
      ) : (
        <form
          className="row"
          aria-label="Reproduce with"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <SelectField
            id={`rp-weights-${row.id}`}
            label="Weights"
            value={wid}
            options={weights.map((w) => ({ value: w.id, label: `${w.name} (${w.architecture.preset})` }))}
            onChange={setWeightsId}
          />
          <SelectField
            id={`rp-dataset-${row.id}`}
            label="Dataset"
            value={did}
            error={wrongTask}
            options={ordered.map((d) => ({ value: d.id, label: `${d.name} (${d.task})` }))}
            onChange={setDatasetId}
          />
          <SelectField
            id={`rp-split-${row.id}`}
            label="Split"
            value={split}
            options={SPLITS}
            onChange={setSplit}
          />
          <NumberField
            id={`rp-limit-${row.id}`}
            label="Examples"
            value={limit}
            placeholder="all"
            hint="blank = the whole split"
            error={limitError}
            onChange={setLimit}
          />
          <button
            type="submit"
            className="primary"
            disabled={busy || !wid || !did || !!wrongTask || !!limitError || !!running}
            title={running ? 'A reproduction of this row is running' : undefined}
          >
            Run reproduction
          </button>
        </form>
      )}
      <ErrorBanner error={error ?? plan.error ?? cancel.error} />
      {result && <ReproductionResult r={result} onCancel={running ? () => cancel.submit() : undefined} />}
    </section>
  );
}
