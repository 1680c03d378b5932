import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, repoRoot, test } from './fixtures';
import { NewExperimentPage } from './pages/new-experiment';
import { RunView } from './pages/run-view';
import { datasetIdByName, insertRun } from './seed';

const shots = join(repoRoot, 'test-results', 'screenshots');

// Issue 24, item 6: a scale that cannot train on the chosen backend is marked on its card, with
// why (WebAssembly's 4 GiB where that is the limit) and what would fit, before Queue is pressed.
test('scale cards mark what will not fit, say why and what would, and Queue waits', async ({
  workbench,
  mode,
}) => {
  mkdirSync(shots, { recursive: true });
  const { page } = workbench;
  const demo = datasetIdByName(workbench.home, 'Demo: chest phantoms (VQA)');
  await workbench.goto(`new?dataset=${demo}`);
  const form = new NewExperimentPage(page);
  const card = page.locator('label.scale-card').filter({ has: form.scale('XLarge') });
  const note = card.getByRole('note');
  await expect(note).toContainText('Will not fit: needs about', { timeout: 30_000 });
  await expect(note).toContainText('Would fit:');
  const backend = (await card.textContent()) ?? '';
  if (/on wasm/.test(backend)) await expect(note).toContainText('WebAssembly addresses at most 4 GiB');
  await expect(card).toHaveClass(/unfit-card/);
  await form.scale('XLarge').check();
  await expect(page.getByRole('button', { name: /^Queue / })).toBeDisabled();
  await expect(page.getByText('XLarge will not fit here')).toBeVisible();
  await page.screenshot({ path: join(shots, `${mode}-gui24-scale-fit.png`), fullPage: true });
  await form.scale('XLarge').uncheck();
  await expect(page.getByRole('button', { name: /^Queue / })).toBeEnabled();
});

// Issue 24, item 9: a paused run can be cancelled; without a checkpoint, Resume says it restarts.
test('a paused run is cancelled, and its resume says it restarts from step 0', async ({
  workbench,
  mode,
}) => {
  const { page } = workbench;
  const id = insertRun(workbench.home, 'paused early', 'paused');
  await workbench.goto(`runs/${id}`);
  const run = new RunView(page);
  await run.waitForStatus('paused', 15_000);
  await run.control('Cancel run');
  await run.waitForStatus('cancelled', 15_000);
  const controls = page.getByRole('group', { name: 'Run controls' });
  await expect(controls.getByRole('button', { name: 'Restart from step 0' })).toBeEnabled();
  await expect(controls.getByRole('button', { name: 'Cancel run' })).toBeDisabled();
  await page.screenshot({ path: join(shots, `${mode}-gui24-paused-cancelled.png`), fullPage: true });
});
