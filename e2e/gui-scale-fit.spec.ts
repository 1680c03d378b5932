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
  const demo = datasetIdByName(workbench.home, 'Demo: chest phantoms (counting VQA)');
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

  // Item 10: at 1024x700 the Experiments table keeps its horizontal scrollbar on screen and
  // every column (Created, Tags) is visible or reachable by the table's own scroll.
  await page.setViewportSize({ width: 1024, height: 700 });
  await workbench.goto('experiments');
  const scroller = page.getByTestId('history-scroller');
  await expect(scroller.getByRole('button', { name: 'paused early', exact: true })).toBeVisible();
  const box = (await scroller.boundingBox())!;
  expect(box.y + box.height).toBeLessThanOrEqual(700);
  for (const name of ['Created', 'Tags']) {
    const head = scroller.getByRole('columnheader', { name });
    await head.scrollIntoViewIfNeeded();
    await expect(head.getByText(name)).toBeVisible();
    const cell = (await head.boundingBox())!;
    const now = (await scroller.boundingBox())!;
    expect(cell.x).toBeGreaterThanOrEqual(now.x);
    expect(cell.x + cell.width).toBeLessThanOrEqual(now.x + now.width);
    expect(cell.width).toBeGreaterThanOrEqual(50);
  }
  await page.screenshot({ path: join(shots, `${mode}-gui24-experiments-1024.png`) });
  // with the run panel open beside it (the filters wrap further) the table still ends on screen
  await scroller.evaluate((el) => {
    el.scrollLeft = 0;
  });
  await scroller.getByRole('button', { name: 'paused early', exact: true }).click();
  await expect(page.getByRole('complementary', { name: 'Run details' })).toBeVisible();
  const beside = (await scroller.boundingBox())!;
  expect(beside.y + beside.height).toBeLessThanOrEqual(700);
  await page.screenshot({ path: join(shots, `${mode}-gui24-experiments-1024-panel.png`) });

  // Item 10: the cluster form words schema problems plainly, naming the field.
  await workbench.goto('settings');
  const cluster = page.getByRole('form', { name: 'Add a cluster' });
  await cluster.getByLabel('GPUs per job').fill('two');
  await expect(cluster.getByText('GPUs per job must be a whole number')).toBeVisible();
  await cluster.getByLabel('Memory per job (MB)').fill('10');
  await expect(cluster.getByText('Memory per job (MB) must be at least 64')).toBeVisible();
  await expect(cluster).not.toContainText('Invalid input');
  await expect(cluster).not.toContainText('received NaN');
  await page.screenshot({ path: join(shots, `${mode}-gui24-cluster-form.png`), fullPage: true });
});
