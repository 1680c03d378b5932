import { useState } from 'react';
import type { DatasetSummary, Split } from '#shared/domain/dataset';
import { SPLITS } from '#shared/domain/dataset';
import type { RunSummary } from '#shared/domain/run';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { NumberField, SelectField } from '../components/field';
import { useWhere, WhereField } from '../components/where-field';

/** Datasets a run never trained on, a split, an optional example limit; queues one evaluation each. */
export function ZeroShotForm(props: {
  run: RunSummary;
  /** The run's checkpoints, oldest first; the latest is the default. */
  checkpoints: readonly { id: number; step: number }[];
  trainedOn: ReadonlySet<string>;
  datasets: readonly DatasetSummary[];
  onQueued: () => void;
}) {
  const api = useApi();
  const unseen = props.datasets.filter((d) => !props.trainedOn.has(d.id));
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [split, setSplit] = useState<Split>('test');
  const [checkpoint, setCheckpoint] = useState('');
  const [limit, setLimit] = useState('');
  const where = useWhere(props.run.cluster?.cluster);
  const n = limit.trim() === '' ? null : Number(limit);
  const limitError =
    n !== null && (!Number.isInteger(n) || n < 1) ? 'A whole number above 0, or blank for all' : undefined;
  const { submit, busy, error } = useSubmit(async () => {
    for (const datasetId of picked)
      await api.invoke('evaluations.create', {
        runId: props.run.id,
        ...(checkpoint ? { checkpointId: Number(checkpoint) } : {}),
        datasetId,
        split,
        mode: 'zeroshot',
        ...(n ? { limit: n } : {}),
        ...where.cluster,
      });
    setPicked(new Set());
    props.onQueued();
  });
  return (
    <form
      aria-label="Zero-shot evaluation"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <fieldset>
        <legend>Datasets {props.run.name} never saw</legend>
        {unseen.length === 0 ? (
          <p className="hint">
            Every dataset in the library was used to train this run. <a href="#/datasets">Import another</a>.
          </p>
        ) : (
          unseen.map((d) => (
            <label key={d.id} className="block">
              <input
                type="checkbox"
                checked={picked.has(d.id)}
                onChange={(e) => {
                  const next = new Set(picked);
                  if (e.target.checked) next.add(d.id);
                  else next.delete(d.id);
                  setPicked(next);
                }}
              />{' '}
              {d.name}{' '}
              <span className="hint">
                ({d.task}, {d.examples.toLocaleString()} examples)
              </span>
            </label>
          ))
        )}
      </fieldset>
      <div className="row">
        <SelectField
          id="zs-checkpoint"
          label="Checkpoint step"
          value={checkpoint}
          options={[
            {
              value: '',
              label: `Latest${props.checkpoints.length ? ` (step ${props.checkpoints.at(-1)?.step})` : ''}`,
            },
            ...[...props.checkpoints]
              .reverse()
              .slice(1)
              .map((c) => ({ value: String(c.id), label: `Step ${c.step}` })),
          ]}
          onChange={setCheckpoint}
        />
        <SelectField id="zs-split" label="Split" value={split} options={SPLITS} onChange={setSplit} />
        <NumberField
          id="zs-limit"
          label="Examples per dataset"
          value={limit}
          placeholder="all"
          hint="blank = whole split"
          error={limitError}
          onChange={setLimit}
        />
        <WhereField id="zs-where" {...where.field} />
        <button type="submit" className="primary" disabled={busy || picked.size === 0 || !!limitError}>
          Run zero-shot evaluation
        </button>
      </div>
      <ErrorBanner error={error} />
    </form>
  );
}
