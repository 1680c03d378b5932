import { NumberField } from '../components/field';
import { HYPER_FIELDS, type HyperDraft, type HyperKey } from './hyper-draft';

/** The hyperparameters, pre-filled from the recipe; each invalid field says why, beside it. */
export function HyperForm(props: {
  draft: HyperDraft;
  errors: Partial<Record<HyperKey, string>>;
  source: string;
  onChange: (d: HyperDraft) => void;
  onReset: () => void;
}) {
  return (
    <fieldset>
      <legend>Hyperparameters</legend>
      <p className="hint">
        From the recipe: {props.source}.{' '}
        <button type="button" className="link" onClick={props.onReset}>
          Reset to recipe
        </button>
      </p>
      <div className="form-grid">
        {HYPER_FIELDS.map((f) => (
          <NumberField
            key={f.key}
            id={`hp-${f.key}`}
            label={f.label}
            value={props.draft[f.key]}
            hint={f.hint}
            error={props.errors[f.key]}
            onChange={(text) => props.onChange({ ...props.draft, [f.key]: text })}
          />
        ))}
      </div>
    </fieldset>
  );
}
