import type { Page } from '@playwright/test';

/** The Weights page: import form, load report, the library. */
export class WeightsPage {
  constructor(private readonly page: Page) {}

  async fill(path: string, name: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Import weights' });
    await form.getByLabel(/Weights file/).fill(path);
    await form.getByLabel('Name (optional)').fill(name);
  }

  async press(button: 'Check' | 'Import'): Promise<void> {
    await this.page
      .getByRole('form', { name: 'Import weights' })
      .getByRole('button', { name: button, exact: true })
      .click();
  }

  report() {
    return this.page
      .getByRole('region', { name: 'Import result' })
      .getByRole('table', { name: 'Load report' });
  }

  library() {
    return this.page.getByRole('table', { name: 'Imported weights' });
  }
}
