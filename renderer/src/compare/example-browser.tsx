import { useEffect, useMemo, useState } from 'react';
import type { PredictionView } from '#shared/domain/evaluation';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';
import { ExampleImage } from '../components/example-image';
import { type CompareRun, headlineEvaluation } from './compare-model';
import { joinPredictions } from './join-predictions';

const LIMIT = 500;

/** One example at a time with every run's prediction beside the reference; filter to disagreements. */
export function ExampleBrowser({ runs }: { runs: readonly CompareRun[] }) {
  const api = useApi();
  const evals = runs.map(headlineEvaluation);
  const evalIds = evals.map((e) => e?.id ?? '').join(',');
  const [preds, setPreds] = useState<(PredictionView[] | null)[] | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [onlyDisagreements, setOnlyDisagreements] = useState(false);
  const [index, setIndex] = useState(0);
  useEffect(() => {
    let live = true;
    Promise.all(
      evalIds.split(',').map((id) =>
        id
          ? api
              .invoke('evaluations.predictions', {
                id,
                offset: 0,
                limit: LIMIT,
              })
              .then((r) => r.predictions)
          : Promise.resolve(null),
      ),
    ).then(
      (p) => live && setPreds(p),
      (e: Error) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [api, evalIds]);
  const rows = useMemo(() => joinPredictions(preds ?? [], onlyDisagreements), [preds, onlyDisagreements]);
  const row = rows[Math.min(index, rows.length - 1)];
  const image = row?.imageHash;
  if (evals.every((e) => !e))
    return <p className="hint">Evaluate the runs to browse their predictions example by example.</p>;
  return (
    <section aria-label="Per-example predictions">
      <ErrorBanner error={error} />
      <div className="row">
        <label>
          <input
            type="checkbox"
            checked={onlyDisagreements}
            onChange={(e) => {
              setOnlyDisagreements(e.target.checked);
              setIndex(0);
            }}
          />{' '}
          Only examples where the runs disagree
        </label>
        <button type="button" disabled={index === 0} onClick={() => setIndex(index - 1)}>
          Previous example
        </button>
        <span>
          {preds === null
            ? 'Loading predictions…'
            : rows.length === 0
              ? 'No examples'
              : `${Math.min(index, rows.length - 1) + 1} of ${rows.length}`}
        </span>
        <button type="button" disabled={index >= rows.length - 1} onClick={() => setIndex(index + 1)}>
          Next example
        </button>
      </div>
      {row && (
        <div className="prediction-card">
          {image && <ExampleImage hash={image} />}
          <div>
            <p>{row.question}</p>
            <p>
              Reference: <strong>{row.reference}</strong>
            </p>
            <table aria-label="Predictions">
              <tbody>
                {runs.map((r, i) => {
                  const p = row.predictions[i];
                  return (
                    <tr key={r.run.id}>
                      <th scope="row">{r.run.name}</th>
                      <td
                        className={
                          p?.correct === true ? 'correct' : p?.correct === false ? 'incorrect' : undefined
                        }
                      >
                        {p
                          ? `${p.prediction} ${p.correct === true ? '✓' : p.correct === false ? '✗' : ''}`
                          : 'not evaluated'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
