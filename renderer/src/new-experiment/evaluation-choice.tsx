import { NumberField, SelectField } from '../components/field';

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
      <SelectField<'test' | 'validation' | ''>
        id="exp-eval"
        label="Evaluate when finished"
        value={props.split ?? ''}
        options={[
          { value: 'test', label: 'On the test split' },
          { value: 'validation', label: 'On the validation split' },
          { value: '', label: 'Do not evaluate' },
        ]}
        onChange={(v) => props.onSplit(v || null)}
      />
      <NumberField
        id="exp-eval-limit"
        label="Examples to evaluate"
        value={props.limit}
        placeholder="all"
        disabled={props.split === null}
        hint="blank = the whole split"
        error={props.limitError}
        onChange={props.onLimit}
      />
    </div>
  );
}
