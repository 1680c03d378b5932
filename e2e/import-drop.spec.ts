import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, repoRoot, test } from './fixtures';
import { SidebarNav } from './pages/sidebar';

const vqaRad = resolve(repoRoot, '..', 'shared', 'data', 'vqa_rad');

test.skip(!existsSync(vqaRad), 'needs ../shared/data/vqa_rad');

test('a folder dropped on the import wizard is detected and dry-run checked', async ({ workbench }) => {
  const { page } = workbench;
  await new SidebarNav(page).open('Datasets');
  await page.getByRole('button', { name: 'Import dataset' }).click();
  const wizard = page.getByRole('region', { name: 'Import a dataset' });
  const zone = wizard.getByRole('region', { name: 'Drop a dataset here' });
  const dataTransfer = await page.evaluateHandle((uri) => {
    const dt = new DataTransfer();
    dt.setData('text/uri-list', uri);
    return dt;
  }, pathToFileURL(vqaRad).href);
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(wizard.getByLabel('File or folder')).toHaveValue(vqaRad);
  await expect(wizard.getByText('Detected format')).toContainText('VQA-RAD');
  await wizard.getByRole('button', { name: 'Check (dry run)' }).click();
  await expect(wizard.getByRole('region', { name: 'Dry run result' })).toContainText('2,248');
  // Nothing was stored by the dry run.
  await expect(page.getByRole('table', { name: 'Datasets' })).not.toContainText('VQA-RAD');
});
