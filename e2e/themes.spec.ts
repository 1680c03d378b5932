import { join } from 'node:path';
import { expect, repoRoot, test } from './fixtures';
import { backgroundRgb, unlabelledControls } from './pages/a11y';
import { SidebarNav } from './pages/sidebar';

const shots = join(repoRoot, 'test-results', 'screenshots');
const PAGES = ['Datasets', 'New experiment', 'Experiments', 'Compare', 'Zero-shot', 'Settings'] as const;

test('every control has a label, the sidebar is keyboard reachable, and the dark theme applies', async ({
  workbench,
  mode,
}) => {
  const { page } = workbench;
  const nav = new SidebarNav(page);
  for (const label of PAGES) {
    await nav.open(label);
    await page.waitForTimeout(300);
    expect(await unlabelledControls(page), `unlabelled controls on ${label}`).toEqual([]);
  }

  // Keyboard: Tab from the top reaches the sidebar links in order; Enter follows one.
  await page.goto(`${workbench.url}#/experiments`);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor();
  await page.keyboard.press('Tab');
  const sidebar = page.getByRole('navigation', { name: 'Main' });
  await expect(sidebar.getByRole('link', { name: 'Datasets' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(sidebar.getByRole('link', { name: 'New experiment' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'New experiment' })).toBeVisible();

  // Theme: dark from Settings, remembered across a reload; light again.
  await nav.open('Settings');
  await page.getByRole('radio', { name: 'Dark' }).check();
  expect(Math.max(...(await backgroundRgb(page)))).toBeLessThan(60);
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  expect(Math.max(...(await backgroundRgb(page)))).toBeLessThan(60);
  await page.screenshot({ path: join(shots, `${mode}-dark-settings.png`), fullPage: true });
  for (const label of ['Datasets', 'New experiment'] as const) {
    await nav.open(label);
    await page.waitForTimeout(300);
    await page.screenshot({
      path: join(shots, `${mode}-dark-${label.toLowerCase().replace(' ', '-')}.png`),
      fullPage: true,
    });
  }
  await nav.open('Settings');
  await page.getByRole('radio', { name: 'Light' }).check();
  expect(Math.min(...(await backgroundRgb(page)))).toBeGreaterThan(200);
});

test('a backend error is shown where the user acted, in plain words', async ({ workbench }) => {
  const { page } = workbench;
  await new SidebarNav(page).open('Datasets');
  await page.getByRole('button', { name: 'Import dataset' }).click();
  const wizard = page.getByRole('region', { name: 'Import a dataset' });
  await wizard.getByLabel('File or folder').fill('/nonexistent/folder/for/the/test');
  await wizard.getByRole('button', { name: 'Check (dry run)' }).click();
  const alert = wizard.getByRole('alert');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('/nonexistent/folder/for/the/test');
  await expect(alert).not.toContainText(/ENOENT|Error:|at .*\.ts/);
});
