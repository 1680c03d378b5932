import type { Page } from '@playwright/test';

/** The Experiments (history) page and its run panel. */
export class ExperimentsPage {
  constructor(private readonly page: Page) {}

  emptyState() {
    return this.page.getByRole('region', { name: 'No runs yet' });
  }

  runRow(name: string) {
    return this.page.getByRole('row').filter({ hasText: name });
  }

  async openRun(name: string): Promise<void> {
    await this.page.getByRole('button', { name, exact: true }).click();
    await this.page.getByRole('complementary', { name: 'Run details' }).waitFor();
  }

  async saveNote(text: string): Promise<void> {
    await this.page.getByLabel('Note').fill(text);
    await this.page.getByRole('button', { name: 'Save note' }).click();
    await this.page.getByText('Saved').waitFor();
  }
}
