import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, repoRoot, test } from './fixtures';
import { ReferenceRows } from './pages/reference-rows';
import { SidebarNav } from './pages/sidebar';
import { insertComparableRuns } from './seed';

// Published BiomedGPT figures appear beside runs (Compare, the scaling view, Zero-shot) with their
// sources, never among them; a user's own reference row needs a citation and can be deleted.
test('published figures and own reference rows in Compare and Zero-shot, apart from runs', async ({
  workbench,
  mode,
}) => {
  const { page, home } = workbench;
  const shots = join(repoRoot, 'test-results', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const ids = insertComparableRuns(home);
  await workbench.goto(`compare?ids=${ids.join(',')}`);
  await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
  const refs = new ReferenceRows(page);
  const metrics = page.getByRole('table', { name: 'Metrics' });
  await expect(metrics).toContainText('seeded cpu-s');
  await expect(refs.table()).toContainText('Instruct-BiomedGPT-B');
  await expect(refs.table()).toContainText('[52.1% (235 / 451)]');
  await expect(refs.table()).toContainText('instruct_biomedgpt.jpg (commit fcc7e8f');
  await expect(
    refs
      .table()
      .getByRole('row', { name: /BiomedGPT-Base 182\.0M VQA-RAD/ })
      .first(),
  ).toContainText('as quoted');
  // Datasets the runs do not use have no rows here; runs are never reference rows and vice versa.
  await expect(refs.table()).not.toContainText('MedNLI');
  await expect(metrics).not.toContainText('Instruct');
  await expect(metrics.locator('.best')).toHaveCount(await metrics.locator('.best').count());
  // The scaling view draws the reference points (dashed, labelled) beside the runs.
  const scaling = page.getByRole('figure', { name: /Scaling/ });
  await expect(scaling).toContainText('reference: Instruct-BiomedGPT, VQA-RAD zero-shot');
  await expect(scaling).toContainText('VQA-RAD');

  await refs.add({
    model: 'Our lab baseline',
    value: '47.5%',
    params: '2.5M',
    citation: 'Lab report 2026-11, table 2',
  });
  const own = refs.table().getByRole('row', { name: /Our lab baseline/ });
  await expect(own).toContainText('0.475');
  await expect(own).toContainText('yours');
  await expect(scaling).toContainText('reference: Our lab baseline');
  await page.screenshot({ path: join(shots, `${mode}-reference-rows-compare.png`), fullPage: true });
  // Without a citation nothing is stored (the browser's required check, then the API's own).
  await refs.add({ model: 'No source', value: '50', citation: 'x' });
  await expect(page.getByRole('region', { name: 'Reference figures' }).getByRole('alert')).toContainText(
    /citation/i,
  );
  await expect(refs.table()).not.toContainText('No source');
  await refs.delete('Our lab baseline');
  await expect(refs.table()).not.toContainText('Our lab baseline');

  await new SidebarNav(page).open('Zero-shot');
  await expect(refs.table()).toContainText('LLaVA-Med');
  await expect(refs.table()).toContainText('GPT-4V');
  await expect(refs.table()).not.toContainText('fine-tuned');
  await page.screenshot({ path: join(shots, `${mode}-reference-rows-zero-shot.png`), fullPage: true });
  expect(errors).toEqual([]);
});
