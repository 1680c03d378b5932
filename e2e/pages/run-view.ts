import { expect, type Page } from '@playwright/test';

/** A run's page: status, progress, controls, charts, evaluations. */
export class RunView {
  constructor(private readonly page: Page) {}

  status() {
    return this.page.getByRole('status', { name: 'Run status' });
  }

  progress() {
    return this.page.getByRole('progressbar', { name: 'Training progress' });
  }

  async waitForStep(atLeast: number, timeout = 120_000): Promise<number> {
    let step = 0;
    await expect(async () => {
      step = Number((await this.progress().getAttribute('aria-valuenow')) ?? 0);
      expect(step).toBeGreaterThanOrEqual(atLeast);
    }).toPass({ timeout, intervals: [250, 500, 1000] });
    return step;
  }

  async control(name: 'Pause' | 'Cancel run' | 'Resume' | 'Restart from step 0'): Promise<void> {
    await this.page.getByRole('group', { name: 'Run controls' }).getByRole('button', { name }).click();
  }

  async waitForStatus(status: string | RegExp, timeout = 240_000): Promise<void> {
    await expect(this.status()).toHaveText(status, { timeout });
  }

  async evaluate(limit: number): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Evaluate this run' });
    await form.getByLabel('Examples').fill(String(limit));
    await form.getByRole('button', { name: 'Evaluate' }).click();
  }

  evaluationResults() {
    return this.page.getByRole('table', { name: 'Evaluation results' });
  }
}
