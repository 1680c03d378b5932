import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

/** The Compare page and its exports. */
export class ComparePage {
  constructor(private readonly page: Page) {}

  metrics() {
    return this.page.getByRole('table', { name: 'Metrics' });
  }

  /** Clicks an export button and returns the downloaded file's text. */
  async exportText(button: string): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('group', { name: 'Export' }).getByRole('button', { name: button }).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }
}
