import { useEffect, useState } from 'react';
import type { EvaluationSummary, PredictionView } from '#shared/domain/evaluation';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';
import { ExampleImage } from '../components/example-image';
import { SelectField } from '../components/field';

const PAGE = 20;

type Which = 'all' | 'correct' | 'wrong';

/**
 * One evaluation's predictions, a page at a time: image, question, reference, prediction and its
 * score, filterable by correct / wrong and by answer type. Any evaluation (a run's or imported
 * weights', zero-shot or test split) opens here.
 */
export function PredictionsBrowser({
  evaluation,
  onClose,
}: {
  evaluation: EvaluationSummary;
  onClose: () => void;
}) {
  const api = useApi();
  const [which, setWhich] = useState<Which>('all');
  const [answerType, setAnswerType] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; predictions: PredictionView[]; answerTypes: string[] }>();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    let live = true;
    api
      .invoke('evaluations.predictions', {
        id: evaluation.id,
        offset,
        limit: PAGE,
        correct: which,
        ...(answerType ? { answerType } : {}),
      })
      .then(
        (p) => {
          if (!live) return;
          setPage(p);
          setError(undefined);
        },
        (e: Error) => live && setError(e),
      );
    return () => {
      live = false;
    };
  }, [api, evaluation.id, offset, which, answerType]);
  const total = page?.total ?? 0;
  const title = `${evaluation.weightsName ? `weights "${evaluation.weightsName}"` : 'this run'} on ${evaluation.datasetName ?? evaluation.datasetId} (${evaluation.split}, ${evaluation.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'})`;
  return (
    <section aria-label="Predictions browser" className="predictions-browser">
      <header className="row">
        <h3 style={{ margin: 0 }}>Predictions: {title}</h3>
        <button type="button" onClick={onClose}>
          Close predictions
        </button>
      </header>
      <div className="row">
        <SelectField
          id="pred-which"
          label="Show"
          value={which}
          options={[
            { value: 'all', label: 'All examples' },
            { value: 'correct', label: 'Correct only' },
            { value: 'wrong', label: 'Wrong only' },
          ]}
          onChange={(v) => {
            setWhich(v as Which);
            setOffset(0);
          }}
        />
        <SelectField
          id="pred-type"
          label="Answer type"
          value={answerType}
          options={[
            { value: '', label: 'Every type' },
            ...(page?.answerTypes ?? []).map((t) => ({ value: t, label: t })),
          ]}
          onChange={(v) => {
            setAnswerType(v);
            setOffset(0);
          }}
        />
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous page
        </button>
        <span role="status" aria-label="Predictions shown">
          {page === undefined
            ? 'Loading predictions…'
            : total === 0
              ? 'No examples match'
              : `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total.toLocaleString('en-US')}`}
        </span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next page
        </button>
      </div>
      <ErrorBanner error={error} />
      <div className="table-scroll">
        <table aria-label="Predictions">
          <thead>
            <tr>
              <th>#</th>
              <th>Image</th>
              <th>Question</th>
              <th>Reference</th>
              <th>Prediction</th>
              <th>Result</th>
              <th>Answer type</th>
              <th>Log-probability</th>
            </tr>
          </thead>
          <tbody>
            {(page?.predictions ?? []).map((p) => (
              <tr key={p.exampleId}>
                <td>{p.ordinal + 1}</td>
                <td className="thumb">
                  {p.imageHash ? <ExampleImage hash={p.imageHash} alt={`Example ${p.ordinal + 1}`} /> : '–'}
                </td>
                <td>{p.inputs.question ?? p.inputs.text ?? p.source}</td>
                <td>{p.reference}</td>
                <td>{p.prediction || <span className="hint">(empty)</span>}</td>
                <td
                  className={p.correct === true ? 'correct' : p.correct === false ? 'incorrect' : undefined}
                >
                  {p.correct === true ? 'correct ✓' : p.correct === false ? 'wrong ✗' : 'scored by metric'}
                </td>
                <td>{p.answerType ?? '–'}</td>
                <td>{p.score === null ? '–' : p.score.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Which evaluation of a table has its predictions open: a button per row, the browser below. */
export function useBrowsedEvaluation(evaluations: readonly EvaluationSummary[]) {
  const [id, setId] = useState<string | null>(null);
  const open = evaluations.find((e) => e.id === id);
  return {
    button: (e: EvaluationSummary) =>
      e.done === 0 ? (
        <span className="hint">–</span>
      ) : (
        <button
          type="button"
          aria-label={`Browse predictions on ${e.datasetName ?? e.datasetId} ${e.split}`}
          aria-pressed={e.id === id}
          onClick={() => setId(e.id === id ? null : e.id)}
        >
          Browse
        </button>
      ),
    browser: open ? <PredictionsBrowser evaluation={open} onClose={() => setId(null)} /> : null,
  };
}
