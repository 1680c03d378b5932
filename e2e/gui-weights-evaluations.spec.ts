import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CUSTOM_TEST_CONFIG,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import { expect, repoRoot, test } from './fixtures';
import { ComparePage } from './pages/compare';
import { NewExperimentPage } from './pages/new-experiment';
import { seedWeightsWork } from './seed';

const shots = join(repoRoot, 'test-results', 'screenshots');

// Issue 24, items 2, 7, 8 and Compare's part of 10: imported weights and what was evaluated with
// them, on a small laptop screen (1024x700). One seeded workbench for all of it (no decoding here:
// the store holds what the decoders would have written).
test('weights evaluations: zero-shot list, predictions browser, weights named on runs and Compare', async ({
  workbench,
  mode,
}) => {
  requireTorch();
  mkdirSync(shots, { recursive: true });
  const { page } = workbench;
  await page.setViewportSize({ width: 1024, height: 700 });
  const shot = (name: string) =>
    page.screenshot({ path: join(shots, `${mode}-gui24-${name}.png`), fullPage: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const src = mkdtempSync(join(tmpdir(), 'bw-e2e-w24-'));
  try {
    writeCheckpoints(src, [
      {
        config: CUSTOM_TEST_CONFIG,
        files: [{ path: join(src, 'model.safetensors'), layout: 'hf-safetensors', dtype: 'fp32' }],
      },
    ]);
    writeDict(join(src, 'dict.txt'), 20);
    const seeded = await seedWeightsWork(workbench.home, join(src, 'model.safetensors'));

    // 2: "From imported weights" lists only what was decoded with imported weights.
    await workbench.goto('zero-shot');
    const fromWeights = page.getByRole('table', { name: 'Zero-shot results of imported weights' });
    await expect(fromWeights.getByRole('row')).toHaveCount(2);
    await expect(fromWeights).toContainText('tiny published');
    await expect(fromWeights).not.toContainText('trie');

    // 8: its predictions open with images, references and per-example scores, filterable.
    await fromWeights.getByRole('button', { name: /^Browse predictions/ }).click();
    const browser = page.getByRole('region', { name: 'Predictions browser' });
    const rows = browser.getByRole('table', { name: 'Predictions' }).locator('tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(browser.getByRole('img', { name: 'Example 1' })).toBeVisible();
    await expect(browser).toContainText('-0.50');
    await browser.getByLabel('Show', { exact: true }).selectOption({ label: 'Wrong only' });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('wrong guess');
    await expect(rows.first()).toContainText('wrong ✗');
    await browser.getByLabel('Show', { exact: true }).selectOption({ label: 'Correct only' });
    await expect(rows).toHaveCount(2);
    const types = await browser.getByLabel('Answer type').locator('option').allTextContents();
    expect(types.length).toBeGreaterThan(1);
    await browser.getByLabel('Answer type').selectOption({ label: types[1] ?? '' });
    for (const row of await rows.all()) await expect(row).toContainText(types[1] ?? '');
    await shot('zero-shot-predictions');

    // 8 on a run's page (a test-split evaluation), and 7: the page names the weights it started from.
    await workbench.goto(`runs/${seeded.runIds[0]}`);
    await expect(page.getByText('Started from imported weights "tiny published" (custom')).toBeVisible();
    await expect(page.getByText(/custom architecture/)).toBeVisible();

    // 7 and 10: Compare names the weights and says how many examples each figure was scored on;
    // the figures stay on one line each (no cramped cells).
    await page.goto(`${workbench.url}#/compare?ids=${seeded.runIds.join(',')}`);
    const compare = new ComparePage(page);
    const metrics = compare.metrics();
    await expect(metrics.getByRole('columnheader', { name: 'Examples' })).toBeVisible();
    await expect(metrics.getByRole('row', { name: /from weights 1/ })).toContainText('50');
    await expect(metrics.getByRole('row', { name: /from weights 2/ })).toContainText('30');
    await expect(metrics).toContainText('custom, from weights "tiny published"');
    const cell = metrics
      .getByRole('row', { name: /from weights 1/ })
      .getByRole('cell')
      .last();
    const lineHeight = await cell.evaluate((td) => Number.parseFloat(getComputedStyle(td).lineHeight) || 20);
    expect((await cell.boundingBox())?.height ?? 999).toBeLessThan(lineHeight * 2 + 12);
    const csv = await compare.exportText('Export CSV');
    expect(csv.text.split('\n')[0]).toContain('Examples');
    expect(csv.text).toContain(',50,');
    await shot('compare');

    // 7: with the weights as the start, one card for their architecture, and the name says it.
    await workbench.goto(`new?dataset=${seeded.datasetId}`);
    await page
      .getByLabel('Initial weights')
      .selectOption({ label: 'Imported weights tiny published (custom)' });
    const card = page.getByRole('region', { name: 'Architecture of tiny published' });
    await expect(card).toBeVisible();
    await expect(card).toContainText('Parameters');
    await expect(new NewExperimentPage(page).scale('S')).toHaveCount(0);
    await expect(page.getByLabel('Experiment name', { exact: true })).toHaveAttribute(
      'placeholder',
      /custom \(tiny published\)/,
    );
    await shot('new-experiment-from-weights');
    expect(errors).toEqual([]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});
