import { useEffect, useState } from 'react';
import type { PipelinePreset } from '#shared/domain/evaluation';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { EvaluationStatus } from '../components/evaluation-status';
import { NumberField, SelectField } from '../components/field';
import { PipelineChoice, PipelineNote } from '../components/pipeline-note';
import { useWhere, WhereField } from '../components/where-field';
import { useBrowsedEvaluation } from '../evaluations/predictions-browser';
import { formatMetric } from '../format';

/**
 * Zero-shot evaluation straight from imported weights, without a run. Decoding is the released
 * code's zero-shot setting (beam 5, no answer list; spec §2.3), with the task's prompt.
 */
export function WeightsZeroShot() {
  const api = useApi();
  const { data: imported } = useQuery('weights.list', {});
  const { data: datasets } = useQuery('datasets.list', {});
  const [weightsId, setWeightsId] = useState('');
  const [datasetId, setDatasetId] = useState('');
  const [limit, setLimit] = useState('');
  const [pipeline, setPipeline] = useState<PipelinePreset>('released');
  const [tick, setTick] = useState(0);
  const where = useWhere();
  const wid = weightsId || imported?.[0]?.id || '';
  const did = datasetId || datasets?.[0]?.id || '';
  const evals = useQuery('evaluations.list', { weightsId: wid || 'none' });
  // Only evaluations decoded with imported weights (the filter is the server's; this keeps it so).
  const fromWeights = (evals.data ?? []).filter((e) => e.weightsId !== null);
  const browse = useBrowsedEvaluation(fromWeights);
  const n = limit.trim() === '' ? null : Number(limit);
  const { submit, error } = useSubmit(async () => {
    await api.invoke('evaluations.create', {
      weightsId: wid,
      datasetId: did,
      pipeline,
      ...(n ? { limit: n } : {}),
      ...where.cluster,
    });
    evals.reload();
  });
  useEffect(() => api.on('onDidChangeEvaluation', () => setTick((t) => t + 1)), [api]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload on evaluation events
  useEffect(() => evals.reload(), [tick]);
  if (!imported || imported.length === 0)
    return (
      <p className="hint">
        No imported weights: import published weights on the <a href="#/weights">Weights</a> page to evaluate
        them here without a run.
      </p>
    );
  return (
    <section aria-label="Zero-shot from imported weights">
      <form aria-label="Zero-shot from weights" className="row" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          id="zs-weights"
          label="Imported weights"
          value={wid}
          options={imported.map((w) => ({ value: w.id, label: `${w.name} (${w.architecture.preset})` }))}
          onChange={setWeightsId}
        />
        <SelectField
          id="zs-weights-dataset"
          label="Dataset"
          value={did}
          options={(datasets ?? []).map((d) => ({ value: d.id, label: d.name }))}
          onChange={setDatasetId}
        />
        <NumberField
          id="zs-weights-limit"
          label="Examples"
          value={limit}
          placeholder="all"
          onChange={setLimit}
        />
        <PipelineChoice id="zs-weights-pipeline" value={pipeline} onChange={setPipeline} />
        <WhereField id="zs-weights-where" {...where.field} />
        <button type="button" className="primary" onClick={() => submit()} disabled={!wid || !did}>
          Evaluate weights zero-shot
        </button>
      </form>
      <p className="hint">
        Beam search (beam 5) without an answer list, as the released zero-shot script decodes.
      </p>
      <ErrorBanner error={error ?? evals.error} />
      {fromWeights.length > 0 && (
        <table aria-label="Zero-shot results of imported weights">
          <thead>
            <tr>
              <th>Weights</th>
              <th>Dataset</th>
              <th>Status</th>
              <th>Decoding · metrics</th>
              <th>Accuracy</th>
              <th>Closed</th>
              <th>Open</th>
              <th>Predictions</th>
            </tr>
          </thead>
          <tbody>
            {fromWeights.map((e) => (
              <tr key={e.id}>
                <td>{e.weightsName}</td>
                <td>
                  {e.datasetName} <span className="hint">{e.split}</span>
                </td>
                <td>
                  <EvaluationStatus e={e} />
                </td>
                <td>
                  <PipelineNote e={e} />
                </td>
                <td>{formatMetric(e.metrics['accuracy']?.estimate)}</td>
                <td>{formatMetric(e.metrics['accuracy_closed']?.estimate)}</td>
                <td>{formatMetric(e.metrics['accuracy_open']?.estimate)}</td>
                <td>{browse.button(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {browse.browser}
    </section>
  );
}
