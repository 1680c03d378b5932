import type { Page } from '@playwright/test';

/** The New experiment form. */
export class NewExperimentPage {
  constructor(private readonly page: Page) {}

  scale(name: string) {
    return this.page.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) });
  }

  async setScales(names: readonly string[]): Promise<void> {
    for (const s of ['S', 'M', 'Base', 'Large', 'XLarge', 'cpu-xs', 'cpu-s', 'cpu-m']) {
      const box = this.scale(s);
      if (names.includes(s)) await box.check();
      else await box.uncheck();
    }
  }

  async fill(label: string, value: string): Promise<void> {
    await this.page.getByLabel(label, { exact: true }).fill(value);
  }

  async evaluateWhenFinished(option: 'On the test split' | 'Do not evaluate', limit?: number): Promise<void> {
    await this.page.getByLabel('Evaluate when finished').selectOption({ label: option });
    if (limit !== undefined) await this.page.getByLabel('Examples to evaluate').fill(String(limit));
  }

  async queue(): Promise<void> {
    await this.page.getByRole('button', { name: /^Queue / }).click();
  }
}
