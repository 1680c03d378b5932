import type { CSSProperties, ReactNode } from 'react';

/** What every labelled field has: the control's id (its label's `htmlFor`), a hint or an error. */
interface FieldBase {
  id: string;
  label: string;
  /** Shown under the control while there is no error. */
  hint?: string | undefined;
  /** Shown instead of the hint; the control is marked invalid meanwhile. */
  error?: string | undefined;
  /** Extra classes of the `.field` box, e.g. `grow`. */
  className?: string;
  style?: CSSProperties;
}

/**
 * The attributes that tie a control to its field: its id, `aria-invalid` while there is an error,
 * `aria-describedby` naming the hint or error under it (only when there is one).
 */
export function controlProps(id: string, hint: string | undefined, error: string | undefined) {
  return {
    id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': (error ?? hint) !== undefined ? `${id}-msg` : undefined,
  } as const;
}

/** A labelled form field (`.field`): the label, the control, and a hint or an error under it. */
export function Field({
  id,
  label,
  hint,
  error,
  className,
  style,
  children,
}: FieldBase & { children: ReactNode }) {
  const text = error ?? hint;
  return (
    <div className={className ? `field ${className}` : 'field'} style={style}>
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

/** An option of a `SelectField`: a value shown as itself, or a value with its label. */
export type SelectOption<T extends string> = T | { value: T; label: string; title?: string };

/** A labelled `<select>` over options given as values, or as value and label. */
export function SelectField<T extends string>({
  value,
  options,
  onChange,
  disabled,
  ...field
}: FieldBase & {
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
  disabled?: boolean;
}) {
  return (
    <Field {...field}>
      <select
        {...controlProps(field.id, field.hint, field.error)}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) =>
          typeof o === 'string' ? (
            <option key={o}>{o}</option>
          ) : (
            <option key={o.value} value={o.value} title={o.title}>
              {o.label}
            </option>
          ),
        )}
      </select>
    </Field>
  );
}

interface TextProps {
  value: string;
  onChange: (text: string) => void;
  placeholder?: string | undefined;
  disabled?: boolean;
  required?: boolean;
  onBlur?: () => void;
}

/** A labelled `<input>` of text (or search, url, date; `number` with `min`/`max` for a spin box). */
export function TextField({
  value,
  onChange,
  placeholder,
  disabled,
  required,
  onBlur,
  type,
  min,
  max,
  inputMode,
  ...field
}: FieldBase &
  TextProps & {
    type?: 'text' | 'search' | 'url' | 'date' | 'number';
    min?: number;
    max?: number;
    inputMode?: 'decimal' | 'numeric';
  }) {
  return (
    <Field {...field}>
      <input
        {...controlProps(field.id, field.hint, field.error)}
        type={type}
        min={min}
        max={max}
        inputMode={inputMode}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        required={required}
        onBlur={onBlur}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** A labelled text input for a number typed by the user; the caller validates the text. */
export function NumberField(props: FieldBase & TextProps & { inputMode?: 'decimal' | 'numeric' }) {
  return <TextField inputMode="decimal" {...props} />;
}

/** A labelled `<textarea>`. */
export function TextAreaField({
  value,
  onChange,
  placeholder,
  rows,
  ...field
}: FieldBase & { value: string; onChange: (text: string) => void; placeholder?: string; rows?: number }) {
  return (
    <Field {...field}>
      <textarea
        {...controlProps(field.id, field.hint, field.error)}
        rows={rows}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** A checkbox with its label after it (`.field.checkbox`). */
export function CheckboxField({
  id,
  label,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <div className="field checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
