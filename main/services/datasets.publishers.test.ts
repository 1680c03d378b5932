import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fx from '#main/data/fixtures/make-fixtures';
import * as pub from '#main/data/fixtures/publisher-fixtures';
import { cbisDdsmImporter } from '#main/data/importers/cbis-ddsm';
import { mimicCxrImporter } from '#main/data/importers/mimic-cxr';
import { Problems } from '#main/data/problems';
import { collected, type StreamedDataset } from '#main/data/types';
import { ImportOptions, type ImportReport } from '#shared/domain/dataset';
import { allStoredBytes, freshWorkbench, storeSnapshot } from './test-workbench';

// The downstream datasets of the papers, from small copies of each publisher's release written
// here in its exact layout; every import is auto-detected from the folder or file.
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
const jpegs: Uint8Array[] = [];
beforeAll(async () => {
  ctx = freshWorkbench();
  for (let k = 0; k < 12; k++) {
    const raw = Buffer.alloc(8 * 8 * 3, (k * 23) % 256);
    jpegs.push(
      new Uint8Array(
        await sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
          .jpeg()
          .toBuffer(),
      ),
    );
  }
});
afterAll(() => ctx.close());

const folder = (files: Record<string, string | Uint8Array>) =>
  fx.writeTree(join(ctx.dir, `src-${n++}`), files);
const run = (path: string, extra: Record<string, unknown> = {}) =>
  ctx.invoke('datasets.import', { path, ...extra });
const examples = (id: string) => [...ctx.store.examples.iterate(id)];
/** The ids of the records an import reported as skipped, with the reason. */
const skipped = (r: ImportReport): Record<string, string> =>
  Object.fromEntries(
    r.skipped.filter((s) => !/^\d+ record\(s\) skipped: /.test(s.reason)).map((s) => [s.id, s.reason]),
  );
/** Each group of `groupOf` in exactly one split. */
const groupsInOneSplit = (
  rows: { split: string; meta: Record<string, unknown> }[],
  groupOf: (id: string) => string,
) => {
  const splits = new Map<string, Set<string>>();
  for (const e of rows) {
    const g = groupOf(String(e.meta['sourceId']));
    splits.set(g, (splits.get(g) ?? new Set()).add(e.split));
  }
  return [...splits.values()].every((s) => s.size === 1);
};

describe('MIMIC-CXR-JPG', () => {
  it('official split, reports from mimic-cxr-reports.zip, FINDINGS + IMPRESSION, skipped records by dicom_id', async () => {
    const { tree, subjectOf } = pub.mimicCxrRelease((k) => jpegs[k]!, 'zip');
    const r = await run(folder(tree));
    expect(r.format).toBe('mimic-cxr');
    expect(r.officialSplits).toEqual(['train', 'validation', 'test']);
    expect(r.splits).toEqual({ train: 4, validation: 1, test: 1 });
    expect(skipped(r)).toEqual({
      '096052b7-d256dc40-453a102b-fa7d01c6-1b22c6b4':
        'the report of study s56699142 has no FINDINGS or IMPRESSION',
      '3aa9a0a1-1b2b3c4c-5d6d7e8e-9f0f1a2a-3b4b5c6c':
        'subject 10000935 is already in train; kept out of test',
      '4bb0b1b2-2c3c4d5d-6e7e8f9f-0a1a2b3b-4c5c6d7d':
        'files/p10/p10000935/s58000003/4bb0b1b2-2c3c4d5d-6e7e8f9f-0a1a2b3b-4c5c6d7d.jpg is missing',
    });
    const ex = examples(r.datasetId!);
    const pa = ex.find((e) => e.meta['sourceId'] === '02aa804e-bde0afdd-112c0b34-7bc16630-4e384014')!;
    expect(pa.target).toBe('No focal consolidation is seen. No acute cardiopulmonary process.');
    expect(pa.meta).toMatchObject({ study: 's50414267', view: 'PA', modality: 'x-ray' });
    expect(ex.find((e) => e.meta['study'] === 's53189527')!.target).toBe('Mild pulmonary edema.');
    expect(groupsInOneSplit(ex, (id) => subjectOf[id]!)).toBe(true);
  });

  it("reads the zip's reports when their batch is made, not all up front (issue 22)", async () => {
    const { tree } = pub.mimicCxrRelease((k) => jpegs[k]!, 'zip');
    const path = folder(tree);
    const problems = new Problems();
    const d = (await mimicCxrImporter.parse(path, ImportOptions.parse({}), problems)) as StreamedDataset;
    // Study s50414267's entry damaged after parse: an importer that read the reports up front
    // would still have its target.
    const zip = join(path, 'mimic-cxr-reports.zip');
    const bytes = readFileSync(zip);
    const fd = openSync(zip, 'r+');
    writeSync(fd, Buffer.alloc(4), 0, 4, bytes.indexOf('files/p10/p10000032/s50414267.txt') - 30);
    closeSync(fd);
    await expect(collected(d)).rejects.toThrow(
      /mimic-cxr-reports\.zip.*not a readable zip archive \(.*mimic-cxr-reports\.zip: bad zip header for entry 50414267\)/,
    );
  });

  it('refuses a reports zip that is not a zip archive, naming it; nothing is stored', async () => {
    const { tree } = pub.mimicCxrRelease((k) => jpegs[k]!, 'zip');
    tree['mimic-cxr-reports.zip'] = 'FINDINGS: a text file named .zip\n';
    const before = storeSnapshot(ctx);
    await expect(run(folder(tree))).rejects.toThrow(
      /mimic-cxr-reports\.zip.*not a readable zip archive \(it does not start with a zip header\)/,
    );
    expect(storeSnapshot(ctx)).toEqual(before);
  });

  it('unpacked sNNNNNNNN.txt reports; frontal views only; a partial download reported per folder', async () => {
    const { tree } = pub.mimicCxrRelease((k) => jpegs[k]!, 'txt');
    for (const k of Object.keys(tree)) if (k.startsWith('files/p11/')) delete tree[k];
    const r = await run(folder(tree), { options: { views: 'frontal' } });
    expect(r.format).toBe('mimic-cxr');
    expect(r.examples).toBe(5); // the lateral image and the p11 subject are out
    const ex = examples(r.datasetId!);
    expect(ex.every((e) => e.meta['view'] === 'PA' || e.meta['view'] === 'AP')).toBe(true);
    expect(r.skipped.some((s) => s.file === 'files/p11' && /1 record\(s\)/.test(s.reason))).toBe(true);
  });
});

describe('strict', () => {
  it('refuses a publisher import that would skip records, naming them; nothing is stored', async () => {
    const before = storeSnapshot(ctx);
    await expect(run(folder(pub.rsnaRelease().tree), { options: { strict: true } })).rejects.toThrow(
      /00704310-78a8-4b38-8475-49f4573b2dbb/,
    );
    expect(storeSnapshot(ctx)).toEqual(before);
  });
});

describe('MIMIC-III NOTEEVENTS', () => {
  it('streams the gzipped CSV: radiology reports to findings -> impression, grouped by patient', async () => {
    const { text, subjectOf } = pub.noteEvents();
    const dir = folder({
      'NOTEEVENTS.csv.gz': pub.gz(text),
      'PATIENTS.csv.gz': pub.gz('ROW_ID,SUBJECT_ID\n'),
    });
    const r = await run(dir, { options: { validationFraction: 0.2, testFraction: 0.2 } });
    expect([r.format, r.task, r.examples]).toEqual(['mimic-iii-notes', 'summarization', 12]);
    expect(r.splits.validation).toBeGreaterThan(0);
    expect(r.splits.test).toBeGreaterThan(0);
    expect(skipped(r)).toEqual({
      '201': 'flagged as an error by the hospital (ISERROR = 1)',
      '202': 'the report has no IMPRESSION section',
    });
    const ex = examples(r.datasetId!);
    const first = ex.find((e) => e.meta['sourceId'] === '101')!;
    expect(first.inputs['source']).toBe('No hemorrhage 0-0. "quoted" words, and commas.');
    expect(first.target).toBe('No acute intracranial process 0-0.');
    expect(groupsInOneSplit(ex, (id) => subjectOf[id]!)).toBe(true);
  });

  it('detects the unpacked file itself; limit stops the stream early', async () => {
    const dir = folder({ 'NOTEEVENTS.csv': pub.noteEvents().text });
    const r = await run(join(dir, 'NOTEEVENTS.csv'), { dryRun: true, options: { limit: 3 } });
    expect([r.format, r.examples]).toEqual(['mimic-iii-notes', 3]);
  });
});

describe('Shenzhen and Montgomery chest X-ray sets', () => {
  for (const set of ['shenzhen', 'montgomery'] as const) {
    it(`${set}: label from the _0/_1 suffix, clinical readings as metadata, stray files reported`, async () => {
      const dir = folder(pub.tbRelease(set));
      const r = await run(dir);
      expect([r.format, r.examples]).toEqual([`${set}-cxr`, 5]);
      const prefix = set === 'shenzhen' ? 'CHNCXR' : 'MCUCXR';
      expect(skipped(r)).toEqual({
        [`${prefix}_0099.png`]: `the name is not ${prefix}_NNNN_0.png or _1.png`,
      });
      expect(r.problems.some((p) => /no clinical reading for .*_0003_0\.png/.test(p.message))).toBe(true);
      const ex = examples(r.datasetId!);
      expect(ex.map((e) => e.target).sort()).toEqual([
        'normal',
        'normal',
        'normal',
        'tuberculosis',
        'tuberculosis',
      ]);
      const tb = ex.find((e) => e.meta['sourceId'] === `${prefix}_0005`)!;
      expect(tb.meta).toMatchObject({
        label: 'tuberculosis',
        sex: 'male',
        age: '35y',
        reading: 'PTB in the right upper field 5',
      });
      // The set's own folder inside the path is found too.
      expect(
        (await run(join(dir, set === 'shenzhen' ? 'ChinaSet_AllFiles' : 'MontgomerySet'), { dryRun: true }))
          .format,
      ).toBe(`${set}-cxr`);
    });
  }
});

describe('RSNA Pneumonia', () => {
  it('one example per patient, pneumonia if any box; bad rows skipped by patientId; DICOM PHI removed', async () => {
    const { tree, ids } = pub.rsnaRelease();
    const r = await run(folder(tree));
    expect([r.format, r.examples]).toEqual(['rsna-pneumonia', 4]);
    expect(skipped(r)).toEqual({
      [ids[4]!]: 'Target is "2" (expected 0 or 1)',
      [ids[5]!]: `stage_2_train_images/${ids[5]}.dcm is missing`,
    });
    const ex = examples(r.datasetId!);
    const by = Object.fromEntries(ex.map((e) => [e.meta['sourceId'], e]));
    expect(ids.slice(0, 4).map((id) => by[id]!.target)).toEqual([
      'no pneumonia',
      'pneumonia',
      'no pneumonia',
      'pneumonia',
    ]);
    expect(by[ids[1]!]!.meta).toMatchObject({ boxes: 2, class: 'Lung Opacity', modality: 'CR' });
    const bytes = allStoredBytes(ctx);
    for (const value of [...Object.values(pub.RSNA_PHI), 'Janet', 'Greg']) {
      expect(bytes.includes(Buffer.from(value, 'utf8')), `"${value}" found in the store`).toBe(false);
    }
  });
});

describe('CBIS-DDSM', () => {
  it('full mammograms: official split, any malignant abnormality makes the image malignant, test patients out of train', async () => {
    const dir = folder(pub.cbisRelease());
    const r = await run(dir, { options: { validationFraction: 0 } });
    expect([r.format, r.examples]).toEqual(['cbis-ddsm', 4]);
    expect(r.splits).toEqual({ train: 2, validation: 0, test: 2 });
    expect(skipped(r)).toEqual({
      P_00007_LEFT_MLO_1: expect.stringMatching(/^no DICOM at Calc-Training_P_00007_LEFT_MLO\//),
      P_00004_RIGHT_MLO: 'patient P_00004 is in the test set',
    });
    const by = Object.fromEntries(examples(r.datasetId!).map((e) => [e.meta['sourceId'], e]));
    expect(by['P_00001_LEFT_CC']!.target).toBe('malignant');
    expect(by['P_00038_LEFT_CC']!.split).toBe('test');
    expect(by['P_00038_LEFT_CC']!.meta).toMatchObject({ abnormality: 'mass', modality: 'MG' });
    expect(by['P_00005_RIGHT_CC']!.meta).toMatchObject({ abnormality: 'calcification', label: 'malignant' });
    expect(by['P_00004_LEFT_CC']!.split).toBe('test');
    const bytes = allStoredBytes(ctx);
    for (const value of [...Object.values(pub.CBIS_PHI), 'Martha']) {
      expect(bytes.includes(Buffer.from(value, 'utf8')), `"${value}" found in the store`).toBe(false);
    }
  });

  it('is handed over in batches (streamed, issue 22), and the dry run (one whole dataset) gives the same hash', async () => {
    const dir = folder(pub.cbisRelease());
    const parsed = await cbisDdsmImporter.parse(dir, ImportOptions.parse({}), new Problems());
    expect('batches' in parsed && parsed.total).toBe(5); // 5 cases read; one is then left out (test patient)
    const dry = await run(dir, { dryRun: true, options: { validationFraction: 0, seed: 3 } });
    const stored = await run(dir, { options: { validationFraction: 0, seed: 3 } });
    expect([dry.examples, stored.examples]).toEqual([4, 4]);
    expect(stored.contentHash).toMatch(/^[0-9a-f]{16,}$/);
    expect(stored.contentHash).toBe(dry.contentHash);
  });

  it('lesion crops: one example per abnormality, BENIGN_WITHOUT_CALLBACK is benign, the crop not the ROI mask', async () => {
    const r = await run(folder(pub.cbisRelease()), { options: { lesionCrops: true, validationFraction: 0 } });
    expect([r.format, r.examples]).toEqual(['cbis-ddsm', 5]);
    const ex = examples(r.datasetId!);
    const by = Object.fromEntries(ex.map((e) => [e.meta['sourceId'], e]));
    expect([by['P_00001_LEFT_CC_1']!.target, by['P_00001_LEFT_CC_2']!.target]).toEqual([
      'malignant',
      'benign',
    ]);
    const sizes = ex.map((e) => ctx.store.blobs.get(e.imageHash!)?.width);
    expect(new Set(sizes)).toEqual(new Set([4])); // every crop; no 12 px mask or full image
  });
});

describe('TREC 2022 Clinical Trials', () => {
  it('(patient, trial) pairs from topics, qrels and zipped or unpacked trials; grouped by topic', async () => {
    const r = await run(folder(pub.trecRelease()), {
      options: { validationFraction: 0.25, testFraction: 0.25 },
    });
    expect([r.format, r.task, r.examples]).toEqual(['trec-ct', 'text_understanding', 7]);
    expect(skipped(r)).toEqual({
      '2/NCT00000104': 'judged twice; the first judgement is kept',
      '3/NCT09999999': 'trial NCT09999999 is not in the trial documents',
      '9/NCT00000105': 'topic 9 is not in topics2022.xml',
    });
    const ex = examples(r.datasetId!);
    const by = Object.fromEntries(ex.map((e) => [e.meta['sourceId'], e]));
    expect(['1/NCT00000102', '1/NCT00000104', '1/NCT00000105'].map((k) => by[k]!.target)).toEqual([
      'eligible',
      'excluded',
      'not relevant',
    ]);
    expect(by['1/NCT00000102']!.inputs['s1']).toBe('Patient 1 is a 58-year-old & smoker with cough.');
    expect(by['1/NCT00000102']!.inputs['s2']).toBe(
      'Trial NCT00000102 Conditions: Asthma, COPD & Emphysema. Sex: All. Minimum age: 18 Years. Maximum age: N/A. ' +
        'Inclusion Criteria: - asthma for NCT00000102 Exclusion Criteria: - age < 18',
    );
    expect(by['3/NCT01234567']!.inputs['s2']).toMatch(/^Unpacked trial /);
    expect(by['1/NCT00000102']!.candidates).toEqual(['not relevant', 'excluded', 'eligible']);
    expect(groupsInOneSplit(ex, (id) => id.split('/')[0]!)).toBe(true);
    expect(new Set(ex.map((e) => e.split)).size).toBeGreaterThan(1);
  });
});

describe('MedMNIST v2: every 2D subset with its label names, task and metrics', () => {
  // flag, channels, label count and task as medmnist/info.py INFO gives them.
  const SUBSETS: [string, number, number, string][] = [
    ['pathmnist', 3, 9, 'multi-class'],
    ['chestmnist', 1, 14, 'multi-label, binary-class'],
    ['dermamnist', 3, 7, 'multi-class'],
    ['octmnist', 1, 4, 'multi-class'],
    ['pneumoniamnist', 1, 2, 'binary-class'],
    ['retinamnist', 3, 5, 'ordinal-regression'],
    ['breastmnist', 1, 2, 'binary-class'],
    ['bloodmnist', 3, 8, 'multi-class'],
    ['tissuemnist', 1, 8, 'multi-class'],
    ['organamnist', 1, 11, 'multi-class'],
    ['organcmnist', 1, 11, 'multi-class'],
    ['organsmnist', 1, 11, 'multi-class'],
  ];
  it.each(SUBSETS)('%s', async (flag, channels, count, task) => {
    const shape = channels === 3 ? [28, 28, 3] : [28, 28];
    const labels =
      flag === 'chestmnist'
        ? [Array.from({ length: 14 }, (_, j) => (j === 2 || j === 6 ? 1 : 0)), Array(14).fill(0)]
        : [[0], [count - 1]];
    const dir = folder({ [`${flag}_28.npz`]: fx.medmnistNpz(shape, labels) });
    const r = await run(join(dir, `${flag}_28.npz`));
    expect([r.format, r.examples, r.splits]).toEqual(['medmnist', 6, { train: 2, validation: 2, test: 2 }]);
    const meta = ctx.store.datasets.get(r.datasetId!)!.meta;
    expect((meta['labelNames'] as string[]).length).toBe(count);
    expect(meta['medmnistTask']).toBe(task);
    const targets = examples(r.datasetId!).map((e) => e.target);
    if (flag === 'chestmnist') {
      expect(targets.slice(0, 2)).toEqual(['effusion, pneumonia', 'normal']);
      expect(meta['metrics']).toEqual(['label_accuracy', 'label_auroc']);
    } else
      expect(targets.slice(0, 2)).toEqual([0, count - 1].map((k) => (meta['labelNames'] as string[])[k]));
    if (flag === 'retinamnist') expect(meta['metrics']).toEqual(['mae']);
  });
});

describe('bad publisher files: the error names file, line and column; nothing is stored', () => {
  const cases: [string, () => Record<string, string | Uint8Array>, RegExp][] = [
    [
      'MIMIC-CXR split CSV without its split column',
      () => ({
        ...pub.mimicCxrRelease((k) => jpegs[k]!, 'zip').tree,
        'mimic-cxr-2.0.0-split.csv.gz': pub.gz('dicom_id,study_id,subject_id\na,1,2\n'),
      }),
      /mimic-cxr-2\.0\.0-split\.csv\.gz:1: missing column\(s\) split/,
    ],
    [
      'NOTEEVENTS.csv.gz that is not gzip',
      () => ({ 'NOTEEVENTS.csv.gz': 'ROW_ID,SUBJECT_ID\n' }),
      /NOTEEVENTS\.csv\.gz: cannot read the file/,
    ],
    [
      'NOTEEVENTS without TEXT',
      () => ({ 'NOTEEVENTS.csv': 'ROW_ID,SUBJECT_ID,CATEGORY,DESCRIPTION,ISERROR\n1,2,Radiology,x,\n' }),
      /NOTEEVENTS\.csv:1: missing column\(s\) TEXT/,
    ],
    [
      'CBIS-DDSM CSV without pathology',
      () => ({
        'mass_case_description_train_set.csv':
          'patient_id,left or right breast,image view,abnormality id,image file path,cropped image file path\n',
      }),
      /mass_case_description_train_set\.csv:1: missing column\(s\) pathology/,
    ],
    [
      'RSNA labels without Target',
      () => ({ 'stage_2_train_labels.csv': 'patientId,x,y,width,height\nabc,,,,\n' }),
      /stage_2_train_labels\.csv:1: missing column\(s\) Target/,
    ],
    [
      'TREC topics file without topics',
      () => ({
        'topics2022.xml': '<topics task="2022 TREC Clinical Trials"></topics>',
        'qrels2022.txt': '1 0 NCT00000102 2\n',
      }),
      /topics2022\.xml: no <topic number/,
    ],
  ];
  it.each(cases)('%s', async (_, files, message) => {
    const before = storeSnapshot(ctx);
    await expect(run(folder(files()))).rejects.toThrow(message);
    expect(storeSnapshot(ctx)).toEqual(before);
  });
});
