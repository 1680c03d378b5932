import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CheckboxField, NumberField, SelectField, TextAreaField, TextField } from './field';

const noop = () => undefined;

describe('form fields', () => {
  it('ties the label to the control and the hint to aria-describedby', () => {
    const html = renderToStaticMarkup(
      <TextField id="exp-seeds" label="Seeds" value="1" hint="e.g. 1-5" className="grow" onChange={noop} />,
    );
    expect(html).toContain('<div class="field grow"><label for="exp-seeds">Seeds</label>');
    expect(html).toContain('id="exp-seeds"');
    expect(html).toContain('aria-describedby="exp-seeds-msg"');
    expect(html).toContain('<span id="exp-seeds-msg" class="hint">e.g. 1-5</span>');
    expect(html).not.toContain('aria-invalid');
  });

  it('shows the error instead of the hint and marks the control invalid', () => {
    const html = renderToStaticMarkup(
      <NumberField
        id="hp-lr"
        label="Learning rate"
        value="x"
        hint="e.g. 1e-4"
        error="Not a number"
        onChange={noop}
      />,
    );
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('inputMode="decimal"');
    expect(html).toContain('<span id="hp-lr-msg" class="field-error">Not a number</span>');
    expect(html).not.toContain('e.g. 1e-4');
  });

  it('names no description when there is neither hint nor error', () => {
    const html = renderToStaticMarkup(<TextAreaField id="run-note" label="Note" value="" onChange={noop} />);
    expect(html).toContain('<label for="run-note">Note</label><textarea id="run-note"');
    expect(html).not.toContain('aria-describedby');
    expect(html).not.toContain('-msg');
  });

  it('lists plain and labelled options, with a title where given', () => {
    const html = renderToStaticMarkup(
      <SelectField
        id="import-format"
        label="Format"
        value="b"
        options={['a', { value: 'b', label: 'Bee', title: 'the second' }]}
        onChange={noop}
      />,
    );
    expect(html).toContain('<option>a</option>');
    expect(html).toContain('<option value="b" title="the second" selected="">Bee</option>');
  });

  it('puts a checkbox before its label', () => {
    const html = renderToStaticMarkup(
      <CheckboxField id="ref-quoted" label="as quoted by others" checked={false} onChange={noop} />,
    );
    expect(html).toBe(
      '<div class="field checkbox"><input id="ref-quoted" type="checkbox"/><label for="ref-quoted">as quoted by others</label></div>',
    );
  });
});
