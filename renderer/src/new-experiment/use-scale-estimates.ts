import { useEffect, useMemo, useState } from 'react';
import type { ExperimentRequest, ResourceEstimate } from '#shared/domain/experiment';
import { PRESET_NAMES, type PresetName } from '#shared/model/presets';
import { TASKS, type TaskId } from '#shared/tasks';
import { useApi } from '../api/context';
import { estimateScale } from './estimate';
import type { Hyper } from './hyper-draft';

/**
 * Parameters, memory and time of every scale for the current form: from `experiments.estimate`
 * (the backend in use, this machine's memory) once a dataset is chosen, computed locally before.
 */
export function useScaleEstimates(
  request: ExperimentRequest | null,
  hyper: Hyper | null,
  task: TaskId,
  backend: string,
) {
  const api = useApi();
  const [remote, setRemote] = useState<Map<PresetName, ResourceEstimate> | null>(null);
  const key = request
    ? JSON.stringify({ ...request, sweep: { scales: [...PRESET_NAMES] }, name: 'estimate' })
    : '';
  useEffect(() => {
    if (!key) return;
    let live = true;
    const t = setTimeout(() => {
      api.invoke('experiments.estimate', JSON.parse(key) as ExperimentRequest).then(
        (plan) => live && setRemote(new Map(plan.map((p) => [p.scale as PresetName, p.estimate]))),
        () => live && setRemote(null),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, key]);
  const local = useMemo(() => {
    if (!hyper) return new Map<PresetName, ResourceEstimate>();
    const w = {
      batchSize: hyper.batchSize,
      sourceLength: hyper.maxSrcLength,
      targetLength: hyper.maxTgtLength,
      steps: hyper.steps,
      withImage: TASKS[task].image !== 'none',
      backend,
    };
    return new Map(
      PRESET_NAMES.map((s) => {
        const e = estimateScale(s, w);
        return [
          s,
          {
            ...e,
            scale: s,
            deviceMemoryBytes: Number.POSITIVE_INFINITY,
            fits: true,
            advice: null,
            backend,
            steps: hyper.steps,
          },
        ] as const;
      }),
    );
  }, [hyper, task, backend]);
  return remote && request ? remote : local;
}
