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
        {HYPER_FIELDS.map((f) => {
          const err = props.errors[f.key];
          const id = `hp-${f.key}`;
          return (
            <div className="field" key={f.key}>
              <label htmlFor={id}>{f.label}</label>
              <input
                id={id}
                inputMode="decimal"
                value={props.draft[f.key]}
                aria-invalid={err ? true : undefined}
                aria-describedby={`${id}-msg`}
                onChange={(e) => props.onChange({ ...props.draft, [f.key]: e.target.value })}
              />
              <span id={`${id}-msg`} className={err ? 'field-error' : 'hint'}>
                {err ?? f.hint}
              </span>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
