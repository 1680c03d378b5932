import { join } from 'node:path';
import { expect, repoRoot, test } from './fixtures';
import { ExperimentsPage } from './pages/experiments';
import { SidebarNav } from './pages/sidebar';
import { insertRun, storedNote } from './seed';

const shots = join(repoRoot, 'test-results', 'screenshots');

test('every page renders on a fresh data folder', async ({ workbench, mode }) => {
  const { page } = workbench;
  const nav = new SidebarNav(page);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await expect(page.getByRole('heading', { level: 1, name: 'Experiments' })).toBeVisible();
  for (const label of ['Datasets', 'Experiments', 'Compare', 'Zero-shot', 'Settings'] as const) {
    await nav.open(label);
    await page.screenshot({
      path: join(shots, `${mode}-skeleton-${label.toLowerCase()}.png`),
      fullPage: true,
    });
  }
  await expect(page.getByText(workbench.home, { exact: true })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Compute backends' })).toContainText('wasm');
  expect(errors).toEqual([]);
});

test('a run stored through the services appears in History, and a typed note is stored', async ({
  workbench,
}) => {
  const { page, home } = workbench;
  const history = new ExperimentsPage(page);
  const runId = insertRun(home, 'vqa-rad cpu-xs seed 1');
  await page.reload();
  await new SidebarNav(page).open('Experiments');
  await expect(history.runRow('vqa-rad cpu-xs seed 1')).toContainText('succeeded');
  await expect(history.runRow('vqa-rad cpu-xs seed 1')).toContainText('0.625');
  await history.openRun('vqa-rad cpu-xs seed 1');
  await history.saveNote('Loss plateaued after warmup; try lr 1e-4.');
  expect(storedNote(home, runId)).toBe('Loss plateaued after warmup; try lr 1e-4.');
});
