/** Whether each run is evaluated when it finishes, on which split, and on how many examples. */
export function EvaluationChoice(props: {
  split: 'test' | 'validation' | null;
  limit: string;
  onSplit: (s: 'test' | 'validation' | null) => void;
  onLimit: (l: string) => void;
  limitError?: string;
}) {
  return (
    <div className="row">
      <div className="field">
        <label htmlFor="exp-eval">Evaluate when finished</label>
        <select
          id="exp-eval"
          value={props.split ?? ''}
          onChange={(e) => props.onSplit((e.target.value || null) as 'test' | 'validation' | null)}
        >
          <option value="test">On the test split</option>
          <option value="validation">On the validation split</option>
          <option value="">Do not evaluate</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="exp-eval-limit">Examples to evaluate</label>
        <input
          id="exp-eval-limit"
          value={props.limit}
          placeholder="all"
          disabled={props.split === null}
          aria-invalid={props.limitError ? true : undefined}
          aria-describedby="exp-eval-limit-msg"
          onChange={(e) => props.onLimit(e.target.value)}
        />
        <span id="exp-eval-limit-msg" className={props.limitError ? 'field-error' : 'hint'}>
          {props.limitError ?? 'blank = the whole split'}
        </span>
      </div>
    </div>
  );
}
