import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fx from '#main/data/fixtures/make-fixtures';
import { rocoImporter } from '#main/data/importers/captions';
import { Problems } from '#main/data/problems';
import { DatasetFormat, ImportOptions } from '#shared/domain/dataset';
import { freshWorkbench } from './test-workbench';

// Every format without a real file here, from small fixtures written from the spec (§4).
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
beforeEach(() => {
  ctx = freshWorkbench();
});
afterEach(() => ctx.close());

const folder = (files: Record<string, string | Uint8Array>) =>
  fx.writeTree(join(ctx.dir, `src-${n++}`), files);
const run = (path: string, extra: Record<string, unknown> = {}) =>
  ctx.invoke('datasets.import', { path, ...extra });
const examples = (id: string) => [...ctx.store.examples.iterate(id)];

describe('formats from fixtures (auto-detected)', () => {
  it('VQA-RAD fixture: phrase_type test split, "CLOSED " trimmed, numbers as answers', async () => {
    const r = await run(folder(fx.vqaRadFiles()));
    expect([r.format, r.examples, r.splits.test]).toEqual(['vqa-rad', 4, 1]);
    const ex = examples(r.datasetId!);
    expect(ex.map((e) => e.meta['answerType']).sort()).toEqual(['closed', 'closed', 'open', 'open']);
    expect(ex.find((e) => e.inputs['question'] === 'How many ribs?')!.target).toBe('12');
  });

  it('SLAKE: English only by default, official train/validate/test, location as organ', async () => {
    const path = folder(fx.slakeFiles());
    const r = await run(path);
    expect([r.format, r.examples]).toEqual(['slake', 3]);
    expect(r.splits).toEqual({ train: 1, validation: 1, test: 1 });
    expect(r.problems.some((p) => /non-English/.test(p.message))).toBe(true);
    expect(examples(r.datasetId!)[0]!.inputs['organ']).toBe('lung');
    const all = await run(path, { dryRun: true, options: { allLanguages: true } });
    expect(all.examples).toBe(4);
  });

  it('PathVQA: JSON question files, best-scored label, images per split', async () => {
    const r = await run(folder(fx.pathvqaFiles()));
    expect([r.format, r.examples, r.images.total]).toEqual(['pathvqa', 4, 3]);
    expect(r.splits).toEqual({ train: 2, validation: 1, test: 1 });
  });

  it('PathVQA: the released .pkl question files, read without Python', async () => {
    const files = fx.pathvqaFiles();
    delete files['qas/train_vqa.json'];
    files['qas/train_vqa.pkl'] = readFileSync(
      new URL('../data/fixtures/pathvqa-train-p4.pkl', import.meta.url),
    );
    files['images/train/train_0002.jpg'] = fx.tinyPng(40);
    const r = await run(folder(files));
    expect([r.format, r.examples]).toEqual(['pathvqa', 5]);
    expect(
      examples(r.datasetId!)
        .filter((e) => e.split === 'train')
        .map((e) => e.target),
    ).toEqual(['necrosis', 'yes', 'necrosis']);
  });

  it('MedNLI: labels to yes/no/maybe, "-" dropped, dev as validation', async () => {
    const r = await run(folder(fx.mednliFiles()));
    expect([r.format, r.examples]).toEqual(['mednli', 4]);
    expect(r.splits).toEqual({ train: 2, validation: 1, test: 1 });
    const targets = examples(r.datasetId!).map((e) => e.target);
    expect(targets).toEqual(['yes', 'no', 'maybe', 'yes']);
  });

  it('MeQSum as TSV (BiomedGPT) and as JSON rows', async () => {
    const tsv = await run(
      folder({
        'train.tsv': 'long question one\tq1\nlong question two\tq2\n',
        'valid.tsv': 'a b c\td\n',
        'test.tsv': 'e f g\th\n',
      }),
      { format: 'meqsum' },
    );
    expect(tsv.splits).toEqual({ train: 2, validation: 1, test: 1 });
    const json = await run(
      folder({
        'meqsum.json': JSON.stringify([{ File: 'f1', CHQ: 'SUBJECT: x MESSAGE: y', Summary: 'What is x?' }]),
      }),
    );
    expect([json.format, json.examples]).toEqual(['meqsum', 1]);
  });

  it('HealthCareMagic and iCliniq raw text: Description (minus "Q. ") is the summary of the Dialogue', async () => {
    const r = await run(folder({ 'healthcaremagic_dialogue.txt': fx.dialogueText() }));
    expect([r.format, r.examples]).toEqual(['healthcaremagic', 2]);
    const ex = examples(r.datasetId!);
    expect(ex.map((e) => e.target).sort()).toEqual([
      'Is it safe to take ibuprofen with aspirin?',
      'What causes a persistent dry cough?',
    ]);
    const ic = await run(folder({ 'icliniq_dialogue.txt': fx.dialogueText().replace('id=1', 'id=7') }));
    expect(ic.format).toBe('icliniq');
  });

  it('IU X-ray: one example per image, findings + impression, both projections of a study in one split', async () => {
    const r = await run(folder(fx.iuXrayFiles()), {
      options: { validationFraction: 0.3, testFraction: 0.3 },
    });
    expect([r.format, r.examples]).toEqual(['iu-xray', 3]);
    expect(r.skipped).toContainEqual(
      expect.objectContaining({
        file: 'indiana_reports.csv',
        field: 'findings',
        reason: expect.stringMatching(/neither findings nor impression/),
      }),
    );
    const study1 = examples(r.datasetId!).filter((e) => e.meta['sourceId'] === '1');
    expect(new Set(study1.map((e) => e.split)).size).toBe(1);
    expect(study1[0]!.target).toBe(
      'The cardiac silhouette and mediastinum size are within normal limits. Normal chest x-ray.',
    );
  });

  it('ROCO: captions.txt per split with images beside', async () => {
    const r = await run(folder(fx.rocoFiles()));
    expect([r.format, r.examples]).toEqual(['roco', 4]);
    expect(r.splits).toEqual({ train: 2, validation: 1, test: 1 });
  });

  it('ROCO is handed over in batches (streamed, issue 22) and stores what the dry run (one whole dataset) reads', async () => {
    const dir = folder(fx.rocoFiles());
    const parsed = await rocoImporter.parse(dir, ImportOptions.parse({}), new Problems());
    expect('batches' in parsed).toBe(true);
    const dry = await run(dir, { dryRun: true, options: { limit: 3 } });
    const stored = await run(dir, { options: { limit: 3 } });
    expect([dry.examples, stored.examples]).toEqual([3, 3]);
    expect(stored.contentHash).toMatch(/^[0-9a-f]{16,}$/);
    expect(stored.contentHash).toBe(dry.contentHash);
  });

  it('PEIR Gross / bioCaption TSV', async () => {
    const r = await run(folder(fx.biocaptionFiles()));
    expect([r.format, r.examples, r.splits.test]).toEqual(['biocaption', 3, 1]);
  });

  it('image folder with split and class sub-folders', async () => {
    const r = await run(folder(fx.imageFolderFiles()));
    expect([r.format, r.examples]).toEqual(['image-folder', 5]);
    expect(r.splits.test).toBe(2);
    expect(examples(r.datasetId!)[0]!.candidates).toEqual(['normal', 'pneumonia']);
  });

  it('BiomedGPT VQA TSV with base64 images in both alphabets decodes to the same images', async () => {
    const images = (urlsafe: boolean) =>
      fx
        .biomedgptVqaTsv(urlsafe)
        .split('\n')
        .map((l) => l.split('\t').at(-1))
        .join('');
    expect(images(false)).toMatch(/[+/]/);
    expect(images(true)).toMatch(/[-_]/);
    expect(images(true)).not.toMatch(/[+/]/);
    const std = await run(folder({ 'vqa.tsv': fx.biomedgptVqaTsv(false) }));
    expect(std.format).toBe('biomedgpt-tsv');
    const ex = examples(std.datasetId!);
    expect(ex.map((e) => e.target)).toEqual(['yes', 'kidney']);
    const safe = await run(folder({ 'vqa.tsv': fx.biomedgptVqaTsv(true) }), { dryRun: true });
    expect(safe.duplicateOf).toBe(std.datasetId); // same content hash: same images, same rows
  });

  it('generic instruction JSONL: image optional, split names', async () => {
    const r = await run(folder(fx.jsonlFiles()) + '/mix.jsonl');
    expect([r.format, r.examples, r.images.total]).toEqual(['jsonl', 3, 1]);
    expect(r.splits).toEqual({ train: 1, validation: 1, test: 1 });
  });

  it('LLaVA-Med conversations: one example per turn pair, <image> removed', async () => {
    const r = await run(folder(fx.llavaFiles()) + '/llava_med_instruct_mini.json');
    expect([r.format, r.examples]).toEqual(['llava-med', 2]);
    expect(
      examples(r.datasetId!)
        .map((e) => e.inputs['instruction'])
        .sort(),
    ).toEqual(['Is there any abnormality?', 'What is shown in the figure?']);
  });

  it('MedMNIST subsets: RGB (PathMNIST), multi-label (ChestMNIST), 3D middle slice (NoduleMNIST3D)', async () => {
    const dir = folder({
      'pathmnist.npz': fx.medmnistNpz([28, 28, 3], [[0], [8]]),
      'chestmnist_64.npz': fx.medmnistNpz(
        [64, 64],
        [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], Array(14).fill(0)],
      ),
      'nodulemnist3d.npz': fx.medmnistNpz([28, 28, 28], [[1], [0]]),
    });
    const path = await run(join(dir, 'pathmnist.npz'));
    expect([path.name, path.examples]).toEqual(['PathMNIST', 6]);
    expect(
      examples(path.datasetId!)
        .map((e) => e.target)
        .slice(0, 2),
    ).toEqual(['adipose', 'colorectal adenocarcinoma epithelium']);
    const chest = await run(join(dir, 'chestmnist_64.npz'));
    expect(
      examples(chest.datasetId!)
        .map((e) => e.target)
        .slice(0, 2),
    ).toEqual(['atelectasis, hernia', 'normal']);
    const nodule = await run(join(dir, 'nodulemnist3d.npz'));
    const img = await ctx.invoke('datasets.image', {
      hash: examples(nodule.datasetId!)[0]!.imageHash!,
    });
    expect(img.width).toBe(28);
    expect(examples(nodule.datasetId!)[0]!.target).toBe('malignant');
  });

  it('refuses to delete a dataset that runs use, unless forced', async () => {
    const r = await run(folder(fx.biocaptionFiles()));
    const e = ctx.store.experiments.insert({ id: 'e1', name: 'E', kind: 'finetune', config: {} });
    ctx.store.runs.insert({
      id: 'r1',
      experimentId: e.id,
      name: 'R',
      status: 'succeeded',
      scale: 'cpu-xs',
      task: 'captioning',
      datasetId: r.datasetId,
      config: {},
    });
    await expect(ctx.invoke('datasets.delete', { id: r.datasetId! })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(ctx.store.datasets.exists(r.datasetId!)).toBe(true);
    const d = await ctx.invoke('datasets.delete', { id: r.datasetId!, force: true });
    expect(d.blobsRemoved).toBe(3);
    expect(ctx.store.runs.get('r1')?.datasetId).toBeNull();
  });

  it('MeQSum .xlsx written by exceljs', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Sheet1');
    ws.addRow(['File', 'CHQ', 'Summary']);
    ws.addRow(['a.txt', 'SUBJECT: rash MESSAGE: what is this rash', 'What causes this rash?']);
    const dir = folder({});
    await wb.xlsx.writeFile(join(dir, 'MeQSum_mini.xlsx'));
    const r = await run(dir);
    expect([r.format, r.examples]).toEqual(['meqsum', 1]);
  });

  it('reports progress events and detects formats through the API', async () => {
    const events: { phase: string; done: number; total: number }[] = [];
    const off = ctx.events.subscribe((name, payload) => {
      if (name === 'onDidImportProgress') events.push(payload as (typeof events)[number]);
    });
    const path = folder(fx.rocoFiles());
    await run(path);
    off();
    expect(events.map((e) => e.phase)).toEqual(
      expect.arrayContaining(['detect', 'parse', 'images', 'write', 'done']),
    );
    expect(events.find((e) => e.phase === 'images' && e.done === e.total)).toBeDefined();
    expect(await ctx.invoke('datasets.detect', { path })).toEqual({ format: 'roco', label: 'ROCO' });
    expect(await ctx.invoke('datasets.detect', { path: folder({ 'readme.md': '# nothing' }) })).toEqual({
      format: null,
      label: null,
    });
    const formats = await ctx.invoke('datasets.formats', {});
    // Every importable format is listed once (the generated demo datasets are not imported).
    expect(formats.map((f) => f.format).sort()).toEqual(
      DatasetFormat.options.filter((f) => f !== 'demo').sort(),
    );
  });
});
