import type { DatasetSummary } from '#shared/domain/dataset';

/** Datasets to train on: tick several to sweep over them; for instruction tuning, a weighted mixture. */
export function DatasetChoice(props: {
  datasets: readonly DatasetSummary[];
  task: string;
  mixture: boolean;
  weights: ReadonlyMap<string, number>;
  onChange: (weights: Map<string, number>) => void;
}) {
  const usable = props.mixture ? props.datasets : props.datasets.filter((d) => d.task === props.task);
  const set = (id: string, w: number | null) => {
    const next = new Map(props.weights);
    if (w === null) next.delete(id);
    else next.set(id, w);
    props.onChange(next);
  };
  return (
    <fieldset>
      <legend>{props.mixture ? 'Mixture (datasets and sampling weights)' : 'Datasets'}</legend>
      {usable.length === 0 ? (
        <p className="hint">
          No dataset for this task yet. <a href="#/datasets">Import one</a> first.
        </p>
      ) : (
        <ul className="inline-list" style={{ flexDirection: 'column' }}>
          {usable.map((d) => (
            <li key={d.id} className="row" style={{ margin: 0 }}>
              <label>
                <input
                  type="checkbox"
                  checked={props.weights.has(d.id)}
                  onChange={(e) => set(d.id, e.target.checked ? 1 : null)}
                />{' '}
                {d.name}{' '}
                <span className="hint">
                  ({d.examples.toLocaleString()} examples, {d.task})
                </span>
                {d.synthetic && <span className="badge synthetic">synthetic</span>}
              </label>
              {props.mixture && props.weights.has(d.id) && (
                <label>
                  weight{' '}
                  <input
                    type="number"
                    min={0.01}
                    step={0.1}
                    style={{ width: 80 }}
                    value={props.weights.get(d.id)}
                    onChange={(e) => set(d.id, Number(e.target.value))}
                  />
                </label>
              )}
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
