import type { Page } from '@playwright/test';

/** The Zero-shot page. */
export class ZeroShotPage {
  constructor(private readonly page: Page) {}

  async run(checkpoint: RegExp, dataset: RegExp, limit: number): Promise<void> {
    const select = this.page.getByLabel('Checkpoint', { exact: true });
    const options = await select.locator('option').allTextContents();
    const label = options.find((o) => checkpoint.test(o));
    if (label) await select.selectOption({ label });
    const form = this.page.getByRole('form', { name: 'Zero-shot evaluation' });
    await form.getByRole('checkbox', { name: dataset }).check();
    await form.getByLabel('Examples per dataset').fill(String(limit));
    await form.getByRole('button', { name: 'Run zero-shot evaluation' }).click();
  }

  results() {
    return this.page.getByRole('table', { name: 'Zero-shot results' });
  }
}
