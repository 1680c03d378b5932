import { useEffect, useState } from 'react';
import type { PresetName } from '#shared/model/presets';
import { TASK_IDS, TASKS, type TaskId } from '#shared/tasks';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { SelectField, TextField } from '../components/field';
import { clusterOption } from '../components/where-field';
import { href } from '../routes';
import { DatasetChoice } from './dataset-choice';
import { EvaluationChoice } from './evaluation-choice';
import { parseSeeds, recipeDraft, recipeSource, validateHyper } from './hyper-draft';
import { HyperForm } from './hyper-form';
import { ScaleCards } from './scale-cards';
import { defaultName, type ExperimentForm, toCreateInput } from './to-create-input';
import { useScaleEstimates } from './use-scale-estimates';

/** Configure a fine-tune (or a sweep of them) and queue it with one click. */
export function NewExperimentPage({ params }: { params: URLSearchParams }) {
  const api = useApi();
  const { data: datasets } = useQuery('datasets.list', {});
  const { data: info } = useQuery('app.info', {});
  const { data: finished } = useQuery('runs.list', { status: ['succeeded'], limit: 200 });
  const { data: clusters } = useQuery('clusters.list', {});
  const { data: imported } = useQuery('weights.list', {});
  const [cluster, setCluster] = useState('');
  const preset = datasets?.find((d) => d.id === params.get('dataset'));
  const [task, setTask] = useState<TaskId>('vqa');
  const [weights, setWeights] = useState<Map<string, number>>(new Map());
  const [scales, setScales] = useState<Set<PresetName>>(new Set(['cpu-xs']));
  const [seeds, setSeeds] = useState('1');
  const [init, setInit] = useState('');
  const [name, setName] = useState('');
  const [evalSplit, setEvalSplit] = useState<'test' | 'validation' | null>('test');
  const [evalLimit, setEvalLimit] = useState('');
  const trainExamples = [...weights.keys()].reduce(
    (n, id) => n + (datasets?.find((d) => d.id === id)?.splits.train ?? 0),
    0,
  );
  const cpuOnly = [...scales].every((s) => s.startsWith('cpu-'));
  // CPU rungs from random weights: the per-width learning rate (blank = each rung its own).
  const fromRandom = init === '' ? { scales: [...scales] } : null;
  const scalesKey = [...scales].sort().join(',');
  const [draft, setDraft] = useState(() => recipeDraft('vqa', 1000, true, { scales: ['cpu-xs'] }));

  useEffect(() => {
    if (!preset) return;
    setTask(preset.task as TaskId);
    setWeights(new Map([[preset.id, 1]]));
  }, [preset]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the recipe follows the task, data size, rungs and init
  useEffect(
    () => setDraft(recipeDraft(task, trainExamples || 1000, cpuOnly, fromRandom)),
    [task, trainExamples, scalesKey, init],
  );

  const backend = info?.backends.find((b) => b.chosen)?.name ?? 'wasm';
  const { values, errors } = validateHyper(draft, { lrPerRung: cpuOnly && init === '' });
  const seedList = parseSeeds(seeds);
  const limit = evalLimit.trim() === '' ? null : Number(evalLimit);
  const limitError =
    limit !== null && (!Number.isInteger(limit) || limit < 1)
      ? 'Examples must be a whole number above 0'
      : undefined;
  const form: ExperimentForm | null =
    values && seedList.seeds && weights.size > 0 && scales.size > 0 && !limitError
      ? {
          name,
          task,
          weights,
          scales: [...scales],
          seeds: seedList.seeds,
          init,
          hyper: values,
          evaluateSplit: evalSplit,
          evaluateLimit: limit,
          cluster: cluster || null,
        }
      : null;
  const datasetName = (id: string) => datasets?.find((d) => d.id === id)?.name ?? id;
  const initWeights = imported?.find((w) => `weights:${w.id}` === init);
  const customWeights =
    initWeights && initWeights.architecture.preset === 'custom'
      ? { name: initWeights.name, params: initWeights.parameterCount }
      : null;
  const arch = customWeights ? `custom (${customWeights.name})` : undefined;
  const request = form ? toCreateInput(form, name.trim() || defaultName(form, datasetName, arch)) : null;
  const estimates = useScaleEstimates(request, values, task, backend);
  const count = scales.size * (task === 'instruction' ? 1 : weights.size) * (seedList.seeds?.length ?? 0);
  const unfit = cluster ? [] : [...scales].filter((s) => estimates.get(s)?.fits === false);
  const problem =
    unfit.length > 0
      ? `${unfit.join(', ')} will not fit here: see ${unfit.length === 1 ? 'its card' : 'their cards'} for what would.`
      : weights.size === 0
        ? 'Pick at least one dataset.'
        : scales.size === 0
          ? 'Pick at least one scale.'
          : !values
            ? 'Fix the highlighted hyperparameters.'
            : (seedList.error ?? limitError);

  const {
    submit: queue,
    busy,
    error,
  } = useSubmit(async () => {
    if (!request) return;
    const res = await api.invoke('experiments.create', request);
    const first = res.runs[0]?.id;
    window.location.hash = first && res.runs.length === 1 ? href.run(first) : '#/experiments';
  });

  return (
    <section className="new-experiment">
      <h1>New experiment</h1>
      <div className="row">
        <SelectField
          id="exp-task"
          label="Task"
          value={task}
          options={TASK_IDS.map((t) => ({ value: t, label: TASKS[t].label }))}
          onChange={setTask}
        />
        <TextField
          id="exp-name"
          label="Experiment name"
          className="grow"
          value={name}
          placeholder={form ? defaultName(form, datasetName, arch) : '(from dataset and scale)'}
          onChange={setName}
        />
      </div>
      <p className="hint">{TASKS[task].description}</p>
      <DatasetChoice
        datasets={datasets ?? []}
        task={task}
        mixture={task === 'instruction'}
        weights={weights}
        onChange={setWeights}
      />
      <h2>Scale</h2>
      <ScaleCards
        selected={scales}
        estimates={estimates}
        fromWeights={customWeights}
        onToggle={(s, on) => {
          const next = new Set(scales);
          if (on) next.add(s);
          else next.delete(s);
          setScales(next);
        }}
      />
      <div className="row">
        <SelectField
          id="exp-init"
          label="Initial weights"
          value={init}
          options={[
            { value: '', label: 'None (random initialisation)' },
            ...(imported ?? []).map((w) => ({
              value: `weights:${w.id}`,
              label: `Imported weights ${w.name} (${w.architecture.preset})`,
            })),
            ...(finished?.runs ?? []).map((r) => ({
              value: r.id,
              label: `Checkpoint of ${r.name} (${r.scale})`,
            })),
          ]}
          onChange={(value) => {
            setInit(value);
            // imported weights fix the scale: their preset (a custom shape trains as it is)
            const w = imported?.find((x) => `weights:${x.id}` === value);
            if (w && w.architecture.preset !== 'custom') setScales(new Set([w.architecture.preset]));
            // a custom shape trains as it is: one run, the scale only lends its recipe defaults
            else if (w) setScales(new Set([[...scales][0] ?? 'cpu-xs']));
          }}
        />
        <TextField
          id="exp-seeds"
          label="Seeds"
          value={seeds}
          hint="e.g. 1, 2, 3 or 1-5"
          error={seedList.error}
          onChange={setSeeds}
        />
      </div>
      <div className="row">
        <SelectField
          id="exp-target"
          label="Run on"
          value={cluster}
          options={[{ value: '', label: 'This machine' }, ...(clusters ?? []).map(clusterOption)]}
          hint={
            cluster
              ? 'One Slurm job per run; a sweep is one job array. Follow it in History.'
              : 'Add clusters in Settings.'
          }
          onChange={setCluster}
        />
      </div>
      <HyperForm
        draft={draft}
        errors={errors}
        source={recipeSource(task, fromRandom)}
        onChange={setDraft}
        onReset={() => setDraft(recipeDraft(task, trainExamples || 1000, cpuOnly, fromRandom))}
      />
      <EvaluationChoice
        split={evalSplit}
        limit={evalLimit}
        onSplit={setEvalSplit}
        onLimit={setEvalLimit}
        limitError={limitError}
      />
      <output className="row sweep" aria-label="Sweep summary">
        {count} run{count === 1 ? '' : 's'}: {scales.size} scale{scales.size === 1 ? '' : 's'} ×{' '}
        {task === 'instruction' ? '1 mixture' : `${weights.size} dataset${weights.size === 1 ? '' : 's'}`} ×{' '}
        {seedList.seeds?.length ?? 0} seed{seedList.seeds?.length === 1 ? '' : 's'}
      </output>
      <div className="actions">
        <button type="button" className="primary" disabled={!!problem || busy} onClick={() => queue()}>
          {cluster
            ? `Submit ${count > 1 ? `${count} runs` : 'run'} to ${cluster}`
            : count > 1
              ? `Queue ${count} runs`
              : 'Queue run'}
        </button>
        {problem && <span className="hint">{problem}</span>}
      </div>
      <ErrorBanner error={error} />
    </section>
  );
}
