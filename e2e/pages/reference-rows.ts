import type { Page } from '@playwright/test';

/** The reference figures section of Compare and Zero-shot: table and add form. */
export class ReferenceRows {
  constructor(private readonly page: Page) {}

  table() {
    return this.page
      .getByRole('region', { name: 'Reference figures' })
      .getByRole('table', { name: /^Reference figures/ });
  }

  /** Opens the Reproduce panel of a row (by model, dataset and metric) and returns it. */
  async reproduce(model: string, dataset: string, metric: string) {
    const what = `${model} ${dataset} ${metric}`;
    await this.table()
      .getByRole('button', { name: `Reproduce ${what}`, exact: true })
      .click();
    return this.page.getByRole('region', { name: `Reproduce ${what}`, exact: true });
  }

  async add(row: { model: string; value: string; params?: string; citation: string; asQuoted?: boolean }) {
    const region = this.page.getByRole('region', { name: 'Reference figures' });
    const form = region.getByRole('form', { name: 'Add a reference row' });
    if (!(await form.isVisible())) await region.getByText('Add a reference row').click();
    await form.getByLabel('Model').fill(row.model);
    await form.getByLabel('Value as printed').fill(row.value);
    if (row.params) await form.getByLabel('Parameters (optional)').fill(row.params);
    await form.getByLabel('Citation').fill(row.citation);
    if (row.asQuoted) await form.getByLabel('as quoted by others').check();
    await form.getByRole('button', { name: 'Add reference' }).click();
  }

  async delete(model: string) {
    await this.table()
      .getByRole('button', { name: `Delete reference ${model}` })
      .click();
  }
}
