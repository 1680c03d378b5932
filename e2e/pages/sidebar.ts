import type { Page } from '@playwright/test';

/** The sidebar's page links. */
export class SidebarNav {
  constructor(private readonly page: Page) {}

  async open(
    label: 'Datasets' | 'New experiment' | 'Experiments' | 'Compare' | 'Zero-shot' | 'Weights' | 'Settings',
  ): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
    await this.page.getByRole('heading', { level: 1, name: label }).waitFor();
  }
}
