import type { ReactNode } from 'react';

/** A labelled form field (`.field`): the label, the control, and a hint or an error under it. */
export function Field({
  id,
  label,
  message,
  error,
  children,
}: {
  id: string;
  label: string;
  /** The hint shown when there is no error. */
  message?: string;
  error?: string | undefined;
  children: ReactNode;
}) {
  const text = error ?? message;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {text !== undefined && (
        <span id={`${id}-msg`} className={error ? 'field-error' : 'hint'}>
          {text}
        </span>
      )}
    </div>
  );
}

/** A labelled `<select>` over options given as values, or as value and label. */
export function SelectField<T extends string>({
  id,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  value: T;
  options: readonly (T | { value: T; label: string })[];
  onChange: (value: T) => void;
}) {
  return (
    <Field id={id} label={label}>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o}>{o}</option>
          ) : (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </Field>
  );
}

/** A labelled text input for a number typed by the user; the caller validates the text. */
export function NumberField({
  id,
  label,
  value,
  onChange,
  hint,
  error,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (text: string) => void;
  hint?: string;
  error?: string | undefined;
  placeholder?: string;
}) {
  return (
    <Field id={id} label={label} {...(hint !== undefined ? { message: hint } : {})} error={error}>
      <input
        id={id}
        value={value}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-msg`}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
