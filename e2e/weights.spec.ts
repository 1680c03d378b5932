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
import { SidebarNav } from './pages/sidebar';
import { WeightsPage } from './pages/weights';

// Published-style weights (written by PyTorch in the setup, a shrunken custom shape so the CPU
// decodes it in seconds) imported from the Weights page with its load report, evaluated zero-shot
// without a run, shown where used, then deleted.
test('import weights, see the load report, evaluate them zero-shot without a run, delete', async ({
  workbench,
  mode,
}) => {
  requireTorch();
  const { page } = workbench;
  const shots = join(repoRoot, 'test-results', 'screenshots');
  mkdirSync(shots, { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'bw-e2e-weights-'));
  try {
    writeCheckpoints(src, [
      {
        config: CUSTOM_TEST_CONFIG,
        files: [{ path: join(src, 'model.safetensors'), layout: 'hf-safetensors', dtype: 'fp16' }],
      },
    ]);
    writeDict(join(src, 'dict.txt'), 20);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await workbench.goto('weights');
    await page.getByRole('heading', { level: 1, name: 'Weights' }).waitFor();
    const weights = new WeightsPage(page);
    await weights.fill(join(src, 'model.safetensors'), 'tiny published');
    await weights.press('Check');
    await expect(page.getByRole('region', { name: 'Import result' })).toContainText(
      'Loads completely (nothing stored yet)',
    );
    await expect(weights.report().getByRole('row', { name: /^Missing 0/ })).toBeVisible();
    await expect(weights.report().getByRole('row', { name: /^Wrong shape 0/ })).toBeVisible();
    await expect(page.getByText('No weights imported yet')).toBeVisible();
    await weights.press('Import');
    await expect(page.getByRole('region', { name: 'Import result' })).toContainText(
      'Imported as "tiny published"',
    );
    await expect(weights.report()).toContainText('Matched');
    await expect(weights.library()).toContainText('tiny published');
    await expect(weights.library()).toContainText('custom');
    await expect(weights.library()).toContainText('not used yet');
    await page.screenshot({ path: join(shots, `${mode}-weights-imported.png`), fullPage: true });

    await new SidebarNav(page).open('Zero-shot');
    const zs = page.getByRole('form', { name: 'Zero-shot from weights' });
    await zs.getByLabel('Dataset').selectOption({ label: 'Demo: chest phantoms (counting VQA)' });
    await zs.getByLabel('Examples').fill('3');
    await zs.getByRole('button', { name: 'Evaluate weights zero-shot' }).click();
    const results = page.getByRole('table', { name: 'Zero-shot results of imported weights' });
    await expect(results).toContainText('succeeded', { timeout: 180_000 });
    await expect(results).toContainText('beam 5');
    await page.screenshot({ path: join(shots, `${mode}-weights-zero-shot.png`), fullPage: true });

    await workbench.goto('weights');
    await expect(weights.library()).toContainText(
      'zero-shot on Demo: chest phantoms (counting VQA) (succeeded)',
    );
    await weights.library().getByRole('button', { name: 'Delete tiny published' }).click();
    await expect(page.getByText('No weights imported yet')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});
