import { useEffect, useMemo, useState } from 'react';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { EmptyState } from '../components/empty-state';
import { ErrorBanner } from '../components/error-banner';
import { SelectField } from '../components/field';
import { ReferenceSection } from '../reference/reference-section';
import { WeightsZeroShot } from './weights-zero-shot';
import { ZeroShotForm } from './zero-shot-form';
import { ZeroShotResults } from './zero-shot-results';

/** The datasets a run trained on: its dataset and any mixture entries in its config. */
function trainedOn(datasetId: string | null, config: Record<string, unknown> | undefined): Set<string> {
  const ids = new Set<string>(datasetId ? [datasetId] : []);
  const list = (config?.datasets ?? config?.mixture) as unknown;
  if (Array.isArray(list))
    for (const x of list) {
      const id = typeof x === 'string' ? x : (x as { datasetId?: unknown })?.datasetId;
      if (typeof id === 'string') ids.add(id);
    }
  return ids;
}

/** Zero-shot evaluation of a checkpoint on datasets it never saw, beside fine-tuned runs. */
export function ZeroShotPage() {
  const api = useApi();
  const { data: finished, error } = useQuery('runs.list', { status: ['succeeded'], limit: 500 });
  const { data: datasets } = useQuery('datasets.list', {});
  const [runId, setRunId] = useState('');
  const id = runId || finished?.runs[0]?.id || '';
  const run = finished?.runs.find((r) => r.id === id);
  const [detail, setDetail] = useState<Record<string, unknown> | undefined>();
  const [checkpoints, setCheckpoints] = useState<readonly { id: number; step: number }[]>([]);
  const [evals, setEvals] = useState<EvaluationSummary[]>([]);
  const [own, setOwn] = useState<EvaluationSummary[]>([]);
  const [fineTuned, setFineTuned] = useState<Map<string, EvaluationSummary>>(new Map());
  const [tick, setTick] = useState(0);

  useEffect(() => api.on('onDidChangeEvaluation', () => setTick((t) => t + 1)), [api]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` refreshes on evaluation events
  useEffect(() => {
    if (!id) return;
    let live = true;
    api.invoke('runs.get', { id }).then(
      (r) => {
        if (!live) return;
        setDetail(r.config);
        setCheckpoints(r.checkpoints);
      },
      () => undefined,
    );
    api.invoke('evaluations.list', { runId: id }).then(
      async (all) => {
        const zs = all.filter((e) => e.mode === 'zeroshot');
        const best = new Map<string, EvaluationSummary>();
        for (const ds of new Set(zs.map((e) => e.datasetId))) {
          const others = await api.invoke('evaluations.list', { datasetId: ds });
          for (const e of others)
            if (e.mode === 'finetuned' && e.status === 'succeeded') {
              const prev = best.get(ds)?.metrics.accuracy?.estimate ?? -1;
              if ((e.metrics.accuracy?.estimate ?? -1) > prev) best.set(ds, e);
            }
        }
        if (!live) return;
        setEvals(zs);
        setOwn(all.filter((e) => e.mode === 'finetuned' && e.status === 'succeeded'));
        setFineTuned(best);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, id, tick]);
  const zsDatasets = useMemo(
    () => [...new Set(evals.map((e) => e.datasetName).filter((d): d is string => !!d))],
    [evals],
  );
  const refs = useQuery('referenceRows.list', {
    mode: 'zeroshot',
    ...(zsDatasets.length ? { datasets: zsDatasets } : {}),
  });
  const seen = useMemo(() => trainedOn(run?.datasetId ?? null, detail), [run?.datasetId, detail]);

  return (
    <section>
      <h1>Zero-shot</h1>
      <ErrorBanner error={error} />
      {finished && finished.runs.length === 0 ? (
        <EmptyState title="No zero-shot evaluations yet">
          A zero-shot evaluation needs a trained checkpoint: finish a run first, then pick it here with
          datasets it has never seen.
        </EmptyState>
      ) : (
        <>
          <SelectField
            id="zs-run"
            label="Checkpoint"
            style={{ maxWidth: 480 }}
            value={id}
            options={(finished?.runs ?? []).map((r) => ({
              value: r.id,
              label: `${r.name} (${r.scale}, trained on ${r.datasetName ?? 'a mixture'})`,
            }))}
            onChange={setRunId}
          />
          {run && (
            <ZeroShotForm
              run={run}
              checkpoints={checkpoints}
              trainedOn={seen}
              datasets={datasets ?? []}
              onQueued={() => setTick((t) => t + 1)}
            />
          )}
          <h2>Results</h2>
          <ZeroShotResults zeroShot={evals} fineTuned={fineTuned} own={own} />
        </>
      )}
      <h2>From imported weights</h2>
      <WeightsZeroShot />
      <h2>Reference figures (zero-shot)</h2>
      <p className="hint">
        Published zero-shot figures and your own reference rows, each with its source; not runs of this
        workbench.
      </p>
      <ErrorBanner error={refs.error} />
      <ReferenceSection rows={refs.data ?? []} datasets={zsDatasets} mode="zeroshot" onChange={refs.reload} />
    </section>
  );
}
