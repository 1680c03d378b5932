import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, repoRoot, test } from './fixtures';
import { ComparePage } from './pages/compare';
import { DatasetsPage } from './pages/datasets';
import { NewExperimentPage } from './pages/new-experiment';
import { RunView } from './pages/run-view';
import { SidebarNav } from './pages/sidebar';
import { ZeroShotPage } from './pages/zero-shot';

const shots = join(repoRoot, 'test-results', 'screenshots');
const data = resolve(repoRoot, '..', 'shared', 'data');

test.skip(!existsSync(join(data, 'vqa_rad')), 'needs ../shared/data/vqa_rad');
test.setTimeout(15 * 60_000);

test('import, fine-tune, watch, cancel and resume, evaluate, compare, export LaTeX, zero-shot', async ({
  workbench,
  mode,
}) => {
  const { page } = workbench;
  const shot = (name: string) =>
    page.screenshot({ path: join(shots, `${mode}-workflow-${name}.png`), fullPage: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const nav = new SidebarNav(page);

  // Import VQA-RAD through the wizard: detection, dry run with counts and splits, then the import.
  await nav.open('Datasets');
  const datasets = new DatasetsPage(page);
  const dry = await datasets.dryRun(join(data, 'vqa_rad'));
  await expect(dry.getByRole('table', { name: 'Examples per split' })).toContainText('test');
  await expect(dry).toContainText('2,248');
  await shot('01-import-dry-run');
  await datasets.importAndOpen();
  await expect(page.getByRole('figure', { name: 'Examples per split' })).toContainText('451');
  await shot('02-dataset');
  await datasets.openImageOfFirstExample();
  await page.getByRole('button', { name: 'Lung' }).click();
  await shot('03-image-viewer');
  await datasets.closeImageViewer();

  // Launch the smallest rung with few steps; no automatic evaluation (evaluated by hand below).
  await page.getByRole('link', { name: 'Fine-tune on this dataset' }).click();
  await page.getByRole('heading', { level: 1, name: 'New experiment' }).waitFor();
  const form = new NewExperimentPage(page);
  await expect(form.scale('cpu-xs')).toBeChecked();
  await form.fill('Training steps', 'abc');
  await expect(page.getByText('Training steps must be a number')).toBeVisible();
  // Enough steps that the run is still going when it is cancelled, even on a fast machine.
  await form.fill('Training steps', '120');
  await form.fill('Batch size', '4');
  await form.fill('Experiment name', 'vqa-rad cpu-xs');
  await form.evaluateWhenFinished('Do not evaluate');
  await expect(page.getByRole('status', { name: 'Sweep summary' })).toContainText('1 run');
  await shot('04-new-experiment');
  await form.queue();

  // Watch progress arrive, cancel, resume from the checkpoint, let it finish.
  const run = new RunView(page);
  await run.waitForStatus(/running|queued/, 30_000);
  const reached = await run.waitForStep(3);
  await expect(page.getByRole('figure', { name: 'Training loss' })).toBeVisible();
  await shot('05-run-live');
  // Cancel once a checkpoint exists, so the resume continues from it rather than from scratch.
  await expect(page.getByRole('table', { name: 'Checkpoints' })).toBeVisible({ timeout: 120_000 });
  await run.control('Cancel run');
  await run.waitForStatus('cancelled', 60_000);
  await run.control('Resume');
  await run.waitForStatus(/running|queued/, 30_000);
  await run.waitForStatus('succeeded', 300_000);
  await expect(page.getByRole('region', { name: 'Log' })).toContainText(/resuming at step \d+/);
  expect(reached).toBeGreaterThanOrEqual(3);
  await expect(page.getByRole('table', { name: 'Checkpoints' })).toContainText('120');

  // Evaluate on part of the test split; metrics arrive with confidence intervals.
  await run.evaluate(40);
  await expect(run.evaluationResults()).toContainText('succeeded', { timeout: 180_000 });
  await expect(run.evaluationResults()).toContainText('accuracy');
  await shot('06-run-evaluated');

  // A second run at a larger rung, evaluated automatically when it finishes.
  await page.goto(`${workbench.url}#/new`);
  await page.getByRole('heading', { level: 1, name: 'New experiment' }).waitFor();
  await page.getByRole('checkbox', { name: /vqa.?rad/i }).check();
  await form.setScales(['cpu-s']);
  await form.fill('Training steps', '10');
  await form.fill('Batch size', '4');
  await form.fill('Experiment name', 'vqa-rad cpu-s');
  await form.evaluateWhenFinished('On the test split', 40);
  await form.queue();
  await run.waitForStatus('succeeded', 300_000);
  await expect(run.evaluationResults()).toContainText('succeeded', { timeout: 180_000 });

  // History: select both runs and compare them.
  await nav.open('Experiments');
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByRole('row')).toHaveCount(3);
  await shot('07-history');
  await page.getByRole('checkbox', { name: 'Select vqa-rad cpu-xs' }).check();
  await page.getByRole('checkbox', { name: 'Select vqa-rad cpu-s' }).check();
  await page.getByRole('link', { name: 'Compare selected' }).click();
  await page.getByRole('heading', { level: 1, name: 'Compare' }).waitFor();
  const compare = new ComparePage(page);
  await expect(compare.metrics()).toContainText('cpu-xs');
  await expect(compare.metrics()).toContainText('cpu-s');
  await expect(page.getByRole('figure', { name: /Scaling/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Per-example predictions' })).toContainText(/1 of \d+/);
  await shot('08-compare');
  const tex = await compare.exportText('Export LaTeX');
  expect(tex.name).toBe('comparison.tex');
  expect(tex.text).toContain('\\begin{tabular}');
  expect(tex.text).toContain('Run & Scale & Dataset');
  // One row per run: name, scale, dataset, the examples scored (40 test questions; closed and open
  // figures on fewer), the decoding and metric pipeline, then accuracy with its 95% interval.
  const row = (scale: string) =>
    new RegExp(
      `vqa-rad ${scale}[^&\\n]* & ${scale} & VQA-RAD & 40( \\(\\d+ to 40 per figure\\))? & [^&\\n]*released[^&\\n]* & (\\\\textbf\\{)?\\d\\.\\d{3}\\}? \\{\\\\scriptsize \\[\\d\\.\\d{3}, \\d\\.\\d{3}\\]\\}`,
    );
  expect(tex.text).toMatch(row('cpu-xs'));
  expect(tex.text).toMatch(row('cpu-s'));
  expect(tex.text).toContain('accuracy\\_closed');
  expect(tex.text).toContain('\\textbf{');
  expect(tex.text).toContain('\\end{table}');
  // The published VQA-RAD figures shown on the page, each with its source and example count.
  expect(tex.text).toMatch(/reference: Instruct-BiomedGPT-S & [^\n]*& 451 & /);
  const csv = await compare.exportText('Export CSV');
  expect(csv.text.split('\n')[0]).toBe(
    'Run,Scale,Dataset,Examples,Pipeline,accuracy,accuracy low,accuracy high,accuracy_closed,accuracy_closed low,accuracy_closed high,accuracy_open,accuracy_open low,accuracy_open high,Source',
  );
  const svg = await compare.exportText('Scaling SVG');
  expect(svg.text).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg.text).toContain('VQA-RAD');
  const png = await compare.exportText('Curves PNG');
  expect(png.name).toMatch(/^curves-.*\.png$/);
  expect(png.text.slice(1, 4)).toBe('PNG');
  const html = await compare.exportText('Export HTML report');
  expect(html.text).toContain('<table>');
  expect(html.text).toContain('<svg');
  expect(html.text).not.toContain('<script');

  // Zero-shot: the cpu-s checkpoint on a VQA dataset it never saw (the synthetic demo set).
  await nav.open('Zero-shot');
  const zs = new ZeroShotPage(page);
  await zs.run(/vqa-rad cpu-s/, /chest phantoms \(counting VQA\)/, 30);
  await expect(zs.results()).toContainText('succeeded', { timeout: 180_000 });
  await expect(zs.results()).toContainText(/0\.\d{3}/);
  await expect(zs.results()).toContainText('(tuned on it)');
  await shot('09-zero-shot');
  await nav.open('Settings');
  await expect(page.getByRole('table', { name: 'Compute backends' })).toContainText('in use');
  await shot('10-settings');
  expect(errors).toEqual([]);
});
