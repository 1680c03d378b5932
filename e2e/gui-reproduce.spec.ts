import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTorch } from '#main/data/weights/test-fixtures';
import { wilsonInterval } from '#shared/reproduce';
import { expect, repoRoot, test } from './fixtures';
import { ComparePage } from './pages/compare';
import { ReferenceRows } from './pages/reference-rows';
import { SidebarNav } from './pages/sidebar';
import { insertComparableRuns } from './seed';
import { seedReproduction } from './seed-reproduce';

const shots = join(repoRoot, 'test-results', 'screenshots');
const ci = wilsonInterval(190, 451);

// Issue 20: "Reproduce" from a published row, on a small laptop screen (1024x700). The row's
// script settings (zero-shot, beam 5, VQA answers lower-cased and tabs stripped) run on
// PyTorch-written look-alike weights and VQA-RAD as an ordinary evaluation; the result stands
// beside the cited figure with both 95% CIs and the verdict. Random weights cannot match it.
test('reproduce a published row: needs, bad input, the row’s settings, the result beside it', async ({
  workbench,
  mode,
}) => {
  requireTorch();
  mkdirSync(shots, { recursive: true });
  const { page, home } = workbench;
  await page.setViewportSize({ width: 1024, height: 700 });
  const shot = (name: string) =>
    page.screenshot({ path: join(shots, `${mode}-gui20-${name}.png`), fullPage: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const refs = new ReferenceRows(page);
  const nav = new SidebarNav(page);
  const src = mkdtempSync(join(tmpdir(), 'bw-e2e-r20-'));
  try {
    // Nothing imported yet: the panel names what it needs and says what is missing.
    await workbench.goto('zero-shot');
    let panel = await refs.reproduce('Instruct-BiomedGPT-S', 'VQA-RAD', 'accuracy');
    await expect(panel.getByRole('alert')).toContainText('No imported weights');
    await expect(panel.getByLabel('What it needs')).toContainText('beam 5');
    await expect(panel.getByLabel('What it needs')).toContainText('answers lower-cased, tabs stripped');
    await expect(panel.getByLabel('What it needs')).toContainText('451 examples in the source');
    await panel.getByRole('button', { name: 'Close reproduce panel' }).click();

    const { datasetId } = await seedReproduction(home, src);
    const ids = insertComparableRuns(home);
    await page.reload();
    panel = await refs.reproduce('Instruct-BiomedGPT-S', 'VQA-RAD', 'accuracy');
    const form = panel.getByRole('form', { name: 'Reproduce with' });
    // A dataset of another task is refused before anything runs.
    await form
      .getByLabel('Dataset')
      .selectOption({ label: 'Demo: chest phantoms (captioning) (captioning)' });
    await expect(form).toContainText('is a captioning dataset; this is a vqa figure on VQA-RAD');
    await expect(form.getByRole('button', { name: 'Run reproduction' })).toBeDisabled();
    await form.getByLabel('Dataset').selectOption(datasetId);
    await form.getByLabel('Weights').selectOption({ label: 'look-alike S (custom)' });
    await form.getByLabel('Examples').fill('4');
    await form.getByRole('button', { name: 'Run reproduction' }).click();

    const result = panel.getByRole('table', { name: 'Reproduction beside the cited figure' });
    const verdict = panel.getByRole('status');
    await expect(verdict).toContainText(/(Reproduced: inside|Not reproduced: outside) the 95% CI/, {
      timeout: 240_000,
    });
    const published = result.getByRole('row', { name: /^Published/ });
    await expect(published).toContainText('0.421');
    await expect(published).toContainText(`[${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]`);
    await expect(published).toContainText('190 / 451');
    await expect(published).toContainText('instruct_biomedgpt.jpg');
    const reproduced = result.getByRole('row', { name: /^Reproduced/ });
    // The row's script settings, recorded on the evaluation itself.
    await expect(reproduced).toContainText('look-alike S');
    await expect(reproduced).toContainText('zero-shot, beam 5');
    await expect(reproduced).toContainText('released: lower-cased, tabs stripped');
    await expect(reproduced).toContainText(/0\.\d{3}/);
    await expect(reproduced.getByRole('cell').nth(2)).toContainText('4');
    await expect(verdict).toContainText('of the published 190 / 451');
    await panel.scrollIntoViewIfNeeded();
    await shot('zero-shot-reproduced');

    // An ordinary evaluation: listed with the weights' other evaluations, with its pipeline.
    const listed = page.getByRole('table', { name: 'Zero-shot results of imported weights' });
    await expect(listed).toContainText('look-alike S');
    await expect(listed).toContainText('beam 5, max');
    await expect(listed).toContainText('released: lower-cased, tabs stripped');

    // Reopened later, the panel shows the latest reproduction of the row.
    await page.reload();
    panel = await refs.reproduce('Instruct-BiomedGPT-S', 'VQA-RAD', 'accuracy');
    await expect(panel.getByRole('status')).toContainText('190 / 451');

    // The dark theme, same screen.
    await nav.open('Settings');
    await page.getByRole('radio', { name: 'Dark' }).check();
    await nav.open('Zero-shot');
    panel = await refs.reproduce('Instruct-BiomedGPT-S', 'VQA-RAD', 'accuracy');
    await expect(panel.getByRole('status')).toContainText('190 / 451');
    await shot('zero-shot-reproduced-dark');
    await nav.open('Settings');
    await page.getByRole('radio', { name: 'Light' }).check();

    // Compare: each reference row, and each point of the scaling view, offers Reproduce.
    await workbench.goto(`compare?ids=${ids.join(',')}`);
    await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
    panel = await refs.reproduce('Instruct-BiomedGPT-B', 'VQA-RAD', 'accuracy');
    await expect(panel.getByLabel('What it needs')).toContainText('beam 5');
    await panel.getByRole('button', { name: 'Close reproduce panel' }).click();
    await page.getByText(/^Reference points drawn/).click();
    const points = page.getByRole('table', { name: /^Reference points of the scaling view/ });
    await points.getByRole('button', { name: 'Reproduce Instruct-BiomedGPT-S VQA-RAD accuracy' }).click();
    await expect(
      page.getByRole('region', { name: 'Reproduce Instruct-BiomedGPT-S VQA-RAD accuracy' }),
    ).toContainText('190 / 451');
    // Every figure names its pipeline (the seeded evaluations predate pipelines: raw text).
    await expect(page.getByText('Every figure: trie, max 16 · raw text (older)')).toBeVisible();
    await shot('compare-scaling-reproduce');

    // The exports carry the reference rows shown, with their sources and example counts.
    const compare = new ComparePage(page);
    const csv = await compare.exportText('Export CSV');
    expect(csv.text.split('\n')[0]).toMatch(/,Pipeline,.*,Source$/);
    expect(csv.text).toMatch(/reference: Instruct-BiomedGPT-S,33\.0M,VQA-RAD \(test\),451,/);
    const svg = await compare.exportText('Scaling SVG');
    expect(svg.text).toContain('stroke-dasharray');
    expect(svg.text).toContain('(n = 451)');
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export' }).getByRole('button', { name: 'Scaling PNG' }).click(),
    ]);
    await png.saveAs(join(shots, `${mode}-gui20-scaling-export.png`));
    expect(errors).toEqual([]);
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
});
