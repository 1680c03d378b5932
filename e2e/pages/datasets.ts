import { expect, type Page } from '@playwright/test';

/** The Datasets page: import wizard, library and one dataset's page. */
export class DatasetsPage {
  constructor(private readonly page: Page) {}

  wizard() {
    return this.page.getByRole('region', { name: 'Import a dataset' });
  }

  /** Types a path, lets the format be detected, runs the dry run; returns its result region. */
  async dryRun(path: string) {
    await this.page.getByRole('button', { name: 'Import dataset' }).click();
    const w = this.wizard();
    await w.getByLabel('File or folder').fill(path);
    await w.getByLabel('File or folder').blur();
    await expect(w.getByText('Detected format')).toBeVisible();
    await w.getByRole('button', { name: 'Check (dry run)' }).click();
    const result = w.getByRole('region', { name: 'Dry run result' });
    await expect(result).toBeVisible({ timeout: 60_000 });
    return result;
  }

  /** Imports what the dry run checked and opens the new dataset. */
  async importAndOpen(): Promise<void> {
    const w = this.wizard();
    await w.getByRole('button', { name: 'Import', exact: true }).click();
    const link = w.getByRole('link', { name: /^Open / });
    await expect(link).toBeVisible({ timeout: 90_000 });
    await link.click();
    await this.page.getByRole('region', { name: 'Examples' }).waitFor();
  }

  async openImageOfFirstExample(): Promise<void> {
    await this.page
      .getByRole('button', { name: /^View image of example/ })
      .first()
      .click();
    await this.page.getByRole('dialog', { name: 'Image viewer' }).waitFor();
  }

  async closeImageViewer(): Promise<void> {
    await this.page.getByRole('button', { name: 'Close image viewer' }).click();
  }
}
