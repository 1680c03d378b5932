import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDir } from '#main/data/fs-utils';
import type { Problems } from '#main/data/problems';
import { reportSections } from '#main/data/text/radiology-report';
import { zipTexts } from '#main/data/text/zip-texts';
import {
  type ImageSource,
  type Importer,
  type ParsedBatch,
  type ParsedExample,
  STREAM_BATCH,
} from '#main/data/types';
import type { Split } from '#shared/domain/dataset';
import { taskOf } from '#shared/tasks';
import { meta } from './common';
import { csvRecords, publisherFile, skipGroup, skipRecord } from './records';

const cap = taskOf('captioning');
const SPLIT_CSV = 'mimic-cxr-2.0.0-split.csv';
const METADATA_CSV = 'mimic-cxr-2.0.0-metadata.csv';
const REPORTS_ZIP = 'mimic-cxr-reports.zip';
const SPLITS: Readonly<Record<string, Split>> = { train: 'train', validate: 'validation', test: 'test' };
const FRONTAL = new Set(['PA', 'AP']);

interface Row {
  readonly dicom: string;
  readonly study: string;
  readonly subject: string;
  readonly split: Split;
  readonly line: number;
}

/** `files/p10/p10000032` for subject 10000032. */
const subjectDir = (subject: string) => join('files', `p${subject.slice(0, 2)}`, `p${subject}`);

const REPORT = /(?:^|\/)s(\d+)\.txt$/;

/** FINDINGS + IMPRESSION of a report, or null when it has neither. */
function targetOf(text: string): string | null {
  const s = reportSections(text);
  const t = [s.findings, s.impression].filter((x) => x !== undefined).join(' ');
  return t === '' ? null : cap.formatTarget(t);
}

/** The targets of some studies (null: the report has no FINDINGS or IMPRESSION). */
type Targets = Map<string, string | null>;

/**
 * Where the reports are read: `mimic-cxr-reports.zip` (beside the JPG release or one folder up;
 * streamed once, each report reduced to its target as it is read, all the wanted studies' targets
 * kept), or else the unpacked `files/pNN/pNNNNNNNN/sNNNNNNNN.txt` (in the release's own `files/`
 * tree or in a `mimic-cxr-reports/` folder), read one batch of rows at a time (issue 22: only a
 * batch's targets are in memory). `of(rows)` gives the targets of `rows`' studies.
 */
async function reportReader(
  root: string,
  wanted: readonly Row[],
  problems: Problems,
): Promise<{ of: (rows: readonly Row[]) => Promise<Targets> }> {
  const zip = [join(root, REPORTS_ZIP), join(root, '..', REPORTS_ZIP)].find((p) => existsSync(p));
  if (zip) {
    const studies = new Set(wanted.map((r) => r.study));
    const targets: Targets = new Map();
    try {
      await zipTexts(
        zip,
        (name) => studies.has(REPORT.exec(name)?.[1] ?? ''),
        (name, text) => targets.set(REPORT.exec(name)![1]!, targetOf(text)),
      );
    } catch (err) {
      problems.fail(REPORTS_ZIP, `not a readable zip archive (${(err as Error).message})`);
    }
    return { of: async () => targets };
  }
  const trees = [root, join(root, 'mimic-cxr-reports')].filter((d) => isDir(join(d, 'files')));
  return {
    async of(rows) {
      const targets: Targets = new Map();
      for (const r of rows) {
        if (targets.has(r.study)) continue;
        for (const tree of trees) {
          const text = await readFile(join(tree, subjectDir(r.subject), `s${r.study}.txt`), 'utf8').catch(
            () => null,
          );
          if (text !== null) {
            targets.set(r.study, targetOf(text));
            break;
          }
        }
      }
      return targets;
    },
  };
}

/**
 * MIMIC-CXR-JPG 2.0.0 as PhysioNet distributes it: `files/pNN/pNNNNNNNN/sNNNNNNNN/<dicom_id>.jpg`,
 * `mimic-cxr-2.0.0-split.csv.gz` (the official split, by subject) and
 * `mimic-cxr-2.0.0-metadata.csv.gz` (ViewPosition), with the free-text reports of MIMIC-CXR
 * (`mimic-cxr-reports.zip` or its unpacked `sNNNNNNNN.txt`). One report-generation example per
 * image: target = FINDINGS + IMPRESSION of its study's report; `views: 'frontal'` keeps PA and
 * AP images. Examples are grouped by subject, so no patient is in two splits.
 */
export const mimicCxrImporter: Importer = {
  format: 'mimic-cxr',
  label: 'MIMIC-CXR-JPG (report generation)',
  description: '`mimic-cxr-2.0.0-split.csv.gz` + `-metadata.csv.gz` + `files/pNN/…/<dicom_id>.jpg` + reports',
  detect: (p) => p.isDir && p.entries.some((e) => e === SPLIT_CSV || e === `${SPLIT_CSV}.gz`),
  async parse(path, options, problems) {
    const splitFile = publisherFile(path, SPLIT_CSV)!;
    const splitName = splitFile.slice(path.length + 1);
    const rows: Row[] = [];
    const subjectSplit = new Map<string, Split>();
    for await (const r of csvRecords(
      splitFile,
      splitName,
      ['dicom_id', 'study_id', 'subject_id', 'split'],
      problems,
    )) {
      const [dicom, study, subject, raw] = ['dicom_id', 'study_id', 'subject_id', 'split'].map((c) =>
        r.get(c),
      );
      const id = dicom || `line ${r.line}`;
      const split = SPLITS[raw!.toLowerCase()];
      if (!dicom || !/^\d+$/.test(study!) || !/^\d+$/.test(subject!)) {
        skipRecord(problems, splitName, id, 'dicom_id, study_id and subject_id are required', {
          line: r.line,
          field: !dicom ? 'dicom_id' : !/^\d+$/.test(study!) ? 'study_id' : 'subject_id',
        });
        continue;
      }
      if (!split) {
        skipRecord(problems, splitName, id, `unknown split "${raw}" (expected train, validate or test)`, {
          line: r.line,
          field: 'split',
        });
        continue;
      }
      const before = subjectSplit.get(subject!);
      if (before && before !== split) {
        skipRecord(
          problems,
          splitName,
          id,
          `subject ${subject} is already in ${before}; kept out of ${split}`,
          {
            line: r.line,
            field: 'split',
          },
        );
        continue;
      }
      subjectSplit.set(subject!, split);
      rows.push({ dicom, study: study!, subject: subject!, split, line: r.line });
    }

    const views = new Map<string, string>();
    const viewNames = new Map<string, string>();
    const metadataFile = publisherFile(path, METADATA_CSV);
    if (metadataFile) {
      const shown = metadataFile.slice(path.length + 1);
      for await (const r of csvRecords(metadataFile, shown, ['dicom_id', 'ViewPosition'], problems)) {
        // One string per distinct view (a handful), not one per image.
        const view = r.get('ViewPosition').toUpperCase();
        if (!viewNames.has(view)) viewNames.set(view, view);
        views.set(r.get('dicom_id'), viewNames.get(view)!);
      }
    } else if (options.views === 'frontal') {
      problems.fail(path, `${METADATA_CSV}.gz is needed to select frontal views (its ViewPosition column)`);
    }
    const chosen =
      options.views === 'frontal' ? rows.filter((r) => FRONTAL.has(views.get(r.dicom) ?? '')) : rows;

    // Whole pNN folders absent (a partial download) are reported once per folder.
    const present = new Set(isDir(join(path, 'files')) ? readdirSync(join(path, 'files')) : []);
    const absent = new Map<string, number>();
    const wanted: Row[] = [];
    for (const r of chosen) {
      const top = `p${r.subject.slice(0, 2)}`;
      if (!present.has(top)) absent.set(top, (absent.get(top) ?? 0) + 1);
      else wanted.push(r);
    }
    for (const [top, count] of absent)
      skipGroup(
        problems,
        `files/${top}`,
        `files/${top}`,
        count,
        'the folder is not in this copy of the release',
      );

    const reports = await reportReader(path, wanted, problems);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    // Handed over STREAM_BATCH examples at a time, each made when the store asks for its batch
    // (the reports of the next STREAM_BATCH rows read as they are reached).
    async function* batches(): AsyncGenerator<ParsedBatch> {
      let examples: ParsedExample[] = [];
      let images = new Map<string, ImageSource>();
      let made = 0;
      let targets: Targets = new Map();
      let readUpTo = 0;
      for (let k = 0; k < wanted.length; k++) {
        if (made >= limit) break;
        const r = wanted[k]!;
        if (k >= readUpTo) {
          readUpTo = Math.min(wanted.length, k + STREAM_BATCH);
          targets = await reports.of(wanted.slice(k, readUpTo));
        }
        const example = exampleOf(r, targets, images);
        if (!example) continue;
        examples.push(example);
        made++;
        if (examples.length === STREAM_BATCH) {
          yield { examples, images };
          [examples, images] = [[], new Map()];
        }
      }
      if (examples.length > 0) yield { examples, images };
    }
    const exampleOf = (
      r: Row,
      targets: Targets,
      images: Map<string, ImageSource>,
    ): ParsedExample | undefined => {
      const target = targets.get(r.study);
      if (target === undefined) {
        skipRecord(problems, splitName, r.dicom, `no report for study s${r.study}`, {
          line: r.line,
          field: 'study_id',
        });
        return undefined;
      }
      if (target === null) {
        skipRecord(
          problems,
          splitName,
          r.dicom,
          `the report of study s${r.study} has no FINDINGS or IMPRESSION`,
          {
            line: r.line,
            field: 'study_id',
          },
        );
        return undefined;
      }
      const file = join(path, subjectDir(r.subject), `s${r.study}`, `${r.dicom}.jpg`);
      if (!existsSync(file)) {
        skipRecord(
          problems,
          splitName,
          r.dicom,
          `${subjectDir(r.subject)}/s${r.study}/${r.dicom}.jpg is missing`,
          {
            line: r.line,
            field: 'dicom_id',
          },
        );
        return undefined;
      }
      images.set(r.dicom, { kind: 'file', path: file });
      return {
        split: r.split,
        task: 'captioning',
        inputs: {},
        target,
        image: r.dicom,
        group: `patient:${r.subject}`,
        meta: meta({
          sourceId: r.dicom,
          study: `s${r.study}`,
          view: views.get(r.dicom),
          modality: 'x-ray',
          organ: 'chest',
        }),
      };
    };
    return {
      format: 'mimic-cxr',
      name: options.views === 'frontal' ? 'MIMIC-CXR (frontal)' : 'MIMIC-CXR',
      task: 'captioning',
      total: Math.min(limit, wanted.length),
      batches: batches(),
      meta: {
        source: 'Johnson et al. 2019, MIMIC-CXR-JPG 2.0.0 (PhysioNet, credentialed access)',
        views: options.views,
        target: 'FINDINGS + IMPRESSION of the study report',
      },
    };
  },
};
