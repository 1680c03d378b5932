import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDicom } from '#main/data/dicom/write-dicom';
import * as fx from '#main/data/fixtures/make-fixtures';
import { formatSkipped } from '#main/data/problems';
import { WorkbenchError } from '#shared/api/errors';
import type { SkippedRecord } from '#shared/domain/dataset';
import { freshWorkbench, sharedData, storeSnapshot } from './test-workbench';

// Every import path rejects bad input with file, line and field, and leaves the store exactly as
// it was: no dataset row, no example, no blob row, no blob file.
let ctx: ReturnType<typeof freshWorkbench>;
let n = 0;
beforeAll(async () => {
  ctx = freshWorkbench();
  // Something already in the store, so "as before" is not just "empty".
  await ctx.invoke('datasets.import', {
    path: fx.writeTree(join(ctx.dir, 'good'), fx.imageFolderFiles()),
  });
});
afterAll(() => ctx.close());

const folder = (files: Record<string, string | Uint8Array>) =>
  fx.writeTree(join(ctx.dir, `bad-${n++}`), files);

function npz(labels: number[]): Uint8Array {
  return fx.medmnistNpz(
    [4, 4],
    labels.map((l) => [l]),
  );
}

/** A MedMNIST `.npz` whose train_labels is `np.array([[0], [1]], dtype=object)` as numpy pickles it. */
function objectLabelsNpz(): Uint8Array {
  const files: Record<string, Uint8Array> = unzipSync(npz([0, 1]));
  // protocol-3 pickle of numpy's object array reconstructor: the bytes numpy writes after the header.
  const pickled = Buffer.from('80034b004b01865d7100284b004b01652e', 'hex');
  files['train_labels.npy'] = fx.npyBytes([2, 1], pickled, '|O');
  return zipSync(files);
}

async function xlsx(header: string[]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Sheet1');
  ws.addRow(header);
  ws.addRow(['a.txt', 'SUBJECT: rash', 'What causes this rash?']);
  const dir = folder({});
  await wb.xlsx.writeFile(join(dir, 'MeQSum_bad.xlsx'));
  return dir;
}

interface Case {
  readonly name: string;
  readonly path: () => string | Promise<string>;
  readonly format?: string;
  /** A fault of the file as a whole: the error message must match (file, line, column, field, what). */
  readonly message?: RegExp;
  /**
   * A fault of one record: it is skipped and named (`formatSkipped`: file, line, its own id, field,
   * reason); `strict` refuses the import with the same text.
   */
  readonly skipped?: RegExp;
}

const vqaJson = fx.vqaRadFiles()['VQA_RAD Dataset Public.json'] as string;

const CASES: readonly Case[] = [
  {
    name: 'VQA-RAD malformed JSON: line and column',
    path: () =>
      folder({
        ...fx.vqaRadFiles(),
        'VQA_RAD Dataset Public.json': vqaJson.replace('"answer": "Left lung"', '"answer": "Left lung",'),
      }),
    message: /VQA_RAD Dataset Public\.json:\d+:\d+: malformed JSON/,
  },
  {
    name: 'VQA-RAD missing image: lists the missing files; the present image is not kept',
    path: () => {
      const files = fx.vqaRadFiles();
      delete files['images/b.jpg'];
      return folder(files);
    },
    skipped: /record \d+: the image file b\.jpg is missing \(field "image"\)/,
  },
  {
    name: 'VQA-RAD unknown answer type',
    path: () =>
      folder({ ...fx.vqaRadFiles(), 'VQA_RAD Dataset Public.json': vqaJson.replace('"OPEN"', '"MAYBE"') }),
    skipped: /VQA_RAD Dataset Public\.json:\d+: record \d+: unknown answer_type "MAYBE".*field "answer_type"/,
  },
  {
    name: 'SLAKE missing field',
    path: () => {
      const files = fx.slakeFiles();
      files['test.json'] = (files['test.json'] as string).replace('"question"', '"questoin"');
      return folder(files);
    },
    skipped: /test\.json:2: record \d+: the field is missing \(field "question"\)/,
  },
  {
    name: 'PathVQA record without a label',
    path: () => {
      const files = fx.pathvqaFiles();
      files['qas/val_vqa.json'] = JSON.stringify([{ img_id: 'val_0001', question_id: 3, sent: 'what?' }]);
      return folder(files);
    },
    skipped: /qas\/val_vqa\.json:1: record 3: label \(the answer\) is missing \(field "label"\)/,
  },
  {
    name: 'PubMedQA unknown label',
    path: () =>
      folder({
        'ori_pqal.json': JSON.stringify(
          { '1': { QUESTION: 'q?', CONTEXTS: ['c'], final_decision: 'perhaps' } },
          null,
          1,
        ),
      }),
    skipped:
      /ori_pqal\.json:2: record 1: unknown label "perhaps" \(expected yes, no or maybe\) \(field "final_decision"\)/,
  },
  {
    name: 'MedNLI malformed JSON line: line and column',
    path: () =>
      folder({
        ...fx.mednliFiles(),
        'mli_dev_v1.jsonl':
          '{"sentence1": "a", "sentence2": "b", "gold_label": "neutral"}\n{"sentence1": "a" "sentence2": "b"}\n',
      }),
    skipped: /mli_dev_v1\.jsonl:2: record \[1\]: malformed JSON at column 19/,
  },
  {
    name: 'MedNLI unknown label',
    path: () =>
      folder({
        ...fx.mednliFiles(),
        'mli_test_v1.jsonl': '{"sentence1": "a", "sentence2": "b", "gold_label": "perhaps"}\n',
      }),
    skipped: /mli_test_v1\.jsonl:1: record \[0\]: unknown label "perhaps".*field "gold_label"/,
  },
  {
    name: 'MeQSum .xlsx with a wrong column',
    path: () => xlsx(['File', 'CHQ', 'Summery']),
    message: /MeQSum_bad\.xlsx:1: missing column\(s\) Summary/,
  },
  {
    name: 'MeQSum TSV with a wrong column count',
    format: 'meqsum',
    path: () => folder({ 'train.tsv': 'question one\tsummary one\nquestion two only\n' }),
    skipped: /train\.tsv:2: record \[1\]: expected 2 tab-separated columns/,
  },
  {
    name: 'HealthCareMagic empty file',
    format: 'healthcaremagic',
    path: () => folder({ 'healthcaremagic.txt': '\n\n' }),
    message: /healthcaremagic\.txt: the file is empty/,
  },
  {
    name: 'iCliniq record without a Dialogue',
    path: () => folder({ 'icliniq_dialogue.txt': 'id=5\n\nDescription\nQ. Why do I cough?\n\nDialogue\n\n' }),
    skipped: /icliniq_dialogue\.txt:1: record 5: the Dialogue is empty \(field "Dialogue"\)/,
  },
  {
    name: 'MeQSum JSON record without a Summary',
    path: () =>
      folder({
        'meqsum.json': JSON.stringify(
          [
            { File: 'a', CHQ: 'q' },
            { File: 'b', CHQ: 'r' },
          ],
          null,
          1,
        ),
      }),
    skipped: /meqsum\.json:2: record a: the summary is missing or empty \(field "Summary"\)/,
  },
  {
    name: 'DICOM with JPEG 2000 pixel data in an image folder',
    path: () =>
      folder({
        ...fx.imageFolderFiles(),
        'train/normal/scan.dcm': writeDicom({
          rows: 2,
          columns: 2,
          pixels: Uint8Array.from([1, 2, 3, 4]),
          transferSyntax: '1.2.840.10008.1.2.4.90',
        }),
      }),
    skipped:
      /record \[\d+\]: the image scan\.dcm cannot be used: DICOM: pixel data is compressed with JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)/,
  },
  {
    name: 'IU X-ray reports without a findings column',
    path: () => {
      const files = fx.iuXrayFiles();
      files['indiana_reports.csv'] = (files['indiana_reports.csv'] as string).replace('findings', 'findigns');
      return folder(files);
    },
    message: /indiana_reports\.csv:1: missing column\(s\) findings/,
  },
  {
    name: 'ROCO caption line without an id',
    path: () => {
      const files = fx.rocoFiles();
      files['data/test/radiology/captions.txt'] = 'X-ray of the hand without an id\n';
      return folder(files);
    },
    skipped: /captions\.txt:1: record X-ray of the hand without an id: expected "ROCO_<number><TAB>caption"/,
  },
  {
    name: 'bioCaption TSV with a wrong column count',
    path: () => folder({ ...fx.biocaptionFiles(), 'test_images.tsv': 'peir_3.jpg\tHeart\textra\n' }),
    skipped: /test_images\.tsv:1: record peir_3\.jpg: expected 2 tab-separated columns/,
  },
  {
    name: 'MedMNIST unknown label',
    path: () => {
      const dir = folder({});
      writeFileSync(join(dir, 'pneumoniamnist.npz'), npz([0, 1, 7]));
      return join(dir, 'pneumoniamnist.npz');
    },
    skipped:
      /pneumoniamnist\.npz: record train\[2\]: unknown label 7 for PneumoniaMNIST \(expected 0\.\.1\) \(field "train_labels"\)/,
  },
  {
    // numpy.save(..., allow_pickle=True) of an object array: the labels are pickled Python ints.
    name: 'MedMNIST .npz whose labels are a pickled object array',
    path: () => {
      const dir = folder({});
      writeFileSync(join(dir, 'pneumoniamnist.npz'), objectLabelsNpz());
      return join(dir, 'pneumoniamnist.npz');
    },
    message: /pneumoniamnist\.npz: train_labels\.npy: refused: it is an object array \(dtype \|O: pickled/,
  },
  {
    name: 'MedMNIST .npz with a string array',
    path: () => {
      const dir = folder({});
      const files: Record<string, Uint8Array> = unzipSync(npz([0, 1]));
      files['val_labels.npy'] = fx.npyBytes([2], new Uint8Array(8), '<U1');
      writeFileSync(join(dir, 'pneumoniamnist.npz'), zipSync(files));
      return join(dir, 'pneumoniamnist.npz');
    },
    message: /pneumoniamnist\.npz: val_labels\.npy: refused: its dtype <U1 is not one this format defines/,
  },
  {
    name: 'MedMNIST truncated .npz',
    path: () => {
      const bytes = readFileSync(sharedData('medmnist_pneumonia', 'pneumoniamnist.npz'));
      const dir = folder({});
      writeFileSync(join(dir, 'pneumoniamnist.npz'), bytes.subarray(0, bytes.length >> 1));
      return join(dir, 'pneumoniamnist.npz');
    },
    message: /pneumoniamnist\.npz: .*truncated/,
  },
  {
    name: 'image folder with a non-image renamed .jpg',
    path: () =>
      folder({ ...fx.imageFolderFiles(), 'train/normal/notes.jpg': 'this is a text file, not a JPEG\n' }),
    skipped:
      /record train\/normal\/notes\.jpg: the image notes\.jpg cannot be used: not an image \(its content is not JPEG, PNG/,
  },
  {
    name: 'BiomedGPT TSV with a wrong column count',
    path: () => folder({ 'vqa.tsv': `${fx.biomedgptVqaTsv(false)}\n3\timg3\tquestion only\n` }),
    skipped: /vqa\.tsv:3: record \[2\]: expected 6 tab-separated columns \(vqa TSV\), found 3/,
  },
  {
    name: 'JSONL line without output, and an unknown split',
    path: () =>
      join(
        folder({
          'x.jsonl':
            '{"instruction": "a", "output": "b"}\n{"instruction": "c", "split": "holdout", "output": "d"}\n{"instruction": "e"}\n',
        }),
        'x.jsonl',
      ),
    skipped:
      /x\.jsonl:2: record \[1\]: unknown split "holdout".*\n.*x\.jsonl:3: record \[2\]: the field is missing \(field "output"\)/,
  },
  {
    name: 'JSONL empty file',
    format: 'jsonl',
    path: () => join(folder({ 'x.jsonl': '' }), 'x.jsonl'),
    message: /x\.jsonl: the file is empty/,
  },
  {
    name: 'LLaVA-Med truncated JSON',
    path: () => {
      const text = fx.llavaFiles()['llava_med_instruct_mini.json'] as string;
      return join(
        folder({ ...fx.llavaFiles(), 'llava_med_instruct_mini.json': text.slice(0, 120) }),
        'llava_med_instruct_mini.json',
      );
    },
    format: 'llava-med',
    message: /llava_med_instruct_mini\.json:\d+:\d+: unexpected end of JSON/,
  },
];

async function refused(request: Record<string, unknown>): Promise<Error> {
  const before = storeSnapshot(ctx);
  const err = await ctx.invokeFromUser('datasets.import', request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkbenchError);
  expect((err as WorkbenchError).code).toBe('invalid_input');
  expect(storeSnapshot(ctx)).toEqual(before);
  return err as Error;
}

describe('bad input: rejected with file, line and field; the store is exactly as before', () => {
  for (const c of CASES.filter((x) => x.message)) {
    it(c.name, async () => {
      const path = await c.path();
      const request = { path, ...(c.format ? { format: c.format } : {}) };
      expect((await refused(request)).message).toMatch(c.message!);
      // The dry run reports the same problem, without throwing, and writes nothing either.
      const before = storeSnapshot(ctx);
      const dry = await ctx.invokeFromUser('datasets.import', { ...request, dryRun: true });
      expect(dry.problems.some((p) => p.severity === 'error')).toBe(true);
      expect(storeSnapshot(ctx)).toEqual(before);
    });
  }
});

describe('bad records: skipped and named by their own id; --strict refuses, the store as before', () => {
  for (const c of CASES.filter((x) => x.skipped)) {
    it(c.name, async () => {
      const path = await c.path();
      const request = { path, ...(c.format ? { format: c.format } : {}) };
      // Strict: refused, the record named in the message, nothing stored.
      expect((await refused({ ...request, options: { strict: true } })).message).toMatch(c.skipped!);
      // The dry run lists the skipped record and writes nothing.
      const before = storeSnapshot(ctx);
      const dry = await ctx.invokeFromUser('datasets.import', { ...request, dryRun: true });
      expect(dry.skipped.map(formatSkipped).join('\n')).toMatch(c.skipped!);
      expect(dry.skippedCount).toBeGreaterThan(0);
      expect(storeSnapshot(ctx)).toEqual(before);
      // Lenient: the rest imports and the dataset keeps the list; with nothing left it is refused.
      if (dry.examples === 0) {
        expect((await refused(request)).message).toMatch(/no examples left|no .* found|skipped/);
        return;
      }
      const r = await ctx.invokeFromUser('datasets.import', request);
      expect(r.examples).toBe(dry.examples);
      expect(r.skipped).toEqual(dry.skipped);
      // Without the bad record, the image-folder fixtures equal the dataset imported first.
      if (r.duplicateOf) return;
      const d = await ctx.invoke('datasets.get', { id: r.datasetId! });
      const provenance = d.meta['provenance'] as { skipped: SkippedRecord[]; skippedCount: number };
      expect(provenance.skipped.map(formatSkipped).join('\n')).toMatch(c.skipped!);
      expect(provenance.skippedCount).toBe(r.skippedCount);
      await ctx.invoke('datasets.delete', { id: r.datasetId!, force: true });
    });
  }
  it('a failure inside the write transaction rolls everything back, blob files included', async () => {
    const before = storeSnapshot(ctx);
    const repo = ctx.store.examples as { insertMany: (...args: never[]) => void };
    const original = repo.insertMany;
    repo.insertMany = (...args: never[]) => {
      original.apply(ctx.store.examples, args);
      throw new Error('disk full (simulated)');
    };
    try {
      // bioCaption imports as one whole dataset (streamed imports: datasets.stream.test.ts)
      await expect(
        ctx.invoke('datasets.import', { path: folder(fx.biocaptionFiles()) }),
      ).rejects.toThrowError(/disk full/);
    } finally {
      repo.insertMany = original;
    }
    expect(storeSnapshot(ctx)).toEqual(before);
  });
});
