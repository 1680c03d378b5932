import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NumberColumn, StringColumn, StringIndex } from '#main/data/columns';
import { isDir } from '#main/data/fs-utils';
import type { Problems } from '#main/data/problems';
import { reportSections } from '#main/data/text/radiology-report';
import { zipIndex } from '#main/data/text/zip-index';
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
  /** Its ViewPosition in the metadata, if any. */
  readonly view?: string | undefined;
}

const SPLIT_CODES: readonly Split[] = ['train', 'validation', 'test'];

/**
 * The split CSV's rows in columns out of the JavaScript heap (issue 22: 377,110 in the release,
 * about 80 bytes each instead of an object and three strings); `at(k)` makes row k.
 */
class Rows {
  private readonly dicom = new StringColumn();
  private readonly study = new StringColumn();
  private readonly subject = new StringColumn();
  private readonly split = new NumberColumn();
  private readonly line = new NumberColumn();
  /** Index into `views` of each row's ViewPosition; -1: none. */
  readonly view = new NumberColumn();
  readonly views: string[] = [];
  get length(): number {
    return this.line.length;
  }
  push(r: Row): void {
    this.dicom.push(r.dicom);
    this.study.push(r.study);
    this.subject.push(r.subject);
    this.split.push(SPLIT_CODES.indexOf(r.split));
    this.line.push(r.line);
    this.view.push(-1);
  }
  dicomAt(k: number): string {
    return this.dicom.at(k);
  }
  subjectAt(k: number): string {
    return this.subject.at(k);
  }
  at(k: number): Row {
    const v = this.view.at(k);
    return {
      dicom: this.dicom.at(k),
      study: this.study.at(k),
      subject: this.subject.at(k),
      split: SPLIT_CODES[this.split.at(k)]!,
      line: this.line.at(k),
      view: v === -1 ? undefined : this.views[v],
    };
  }
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

/** Reads the targets of a batch of rows' studies; `close` when the import is done with it. */
interface ReportReader {
  of(rows: readonly Row[]): Promise<Targets>;
  close(): Promise<void>;
}

/**
 * Where the reports are read: `mimic-cxr-reports.zip` (beside the JPG release or one folder up;
 * its central directory read once, each report read and reduced to its target when its batch is
 * made), or else the unpacked `files/pNN/pNNNNNNNN/sNNNNNNNN.txt` (in the release's own `files/`
 * tree or in a `mimic-cxr-reports/` folder), read one batch of rows at a time. Either way only a
 * batch's targets are in memory (issue 22). `of(rows)` gives the targets of `rows`' studies.
 */
async function reportReader(root: string, problems: Problems): Promise<ReportReader> {
  const zip = [join(root, REPORTS_ZIP), join(root, '..', REPORTS_ZIP)].find((p) => existsSync(p));
  const guard = <T>(read: () => T): T => {
    try {
      return read();
    } catch (err) {
      return problems.fail(REPORTS_ZIP, `not a readable zip archive (${(err as Error).message})`);
    }
  };
  if (zip) {
    const entries = guard(() => zipIndex(zip, (name) => REPORT.exec(name)?.[1]));
    return {
      async of(rows) {
        const targets: Targets = new Map();
        for (const r of rows) {
          if (targets.has(r.study)) continue;
          const text = guard(() => entries.text(r.study));
          if (text !== undefined) targets.set(r.study, targetOf(text));
        }
        return targets;
      },
      close: async () => entries.close(),
    };
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
    close: async () => {},
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
    const rows = new Rows();
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

    const metadataFile = publisherFile(path, METADATA_CSV);
    if (metadataFile) {
      // Each image's view, by dicom_id (kept only until every row has its view's number).
      const byDicom = new StringIndex();
      const shown = metadataFile.slice(path.length + 1);
      for await (const r of csvRecords(metadataFile, shown, ['dicom_id', 'ViewPosition'], problems)) {
        // One string per distinct view (a handful), not one per image.
        const view = r.get('ViewPosition').toUpperCase();
        let v = rows.views.indexOf(view);
        if (v === -1) v = rows.views.push(view) - 1;
        byDicom.set(r.get('dicom_id'), v);
      }
      for (let k = 0; k < rows.length; k++) rows.view.data[k] = byDicom.get(rows.dicomAt(k)) ?? -1;
    } else if (options.views === 'frontal') {
      problems.fail(path, `${METADATA_CSV}.gz is needed to select frontal views (its ViewPosition column)`);
    }
    const frontal = (k: number) => {
      const v = rows.view.at(k);
      return v !== -1 && FRONTAL.has(rows.views[v]!);
    };

    // Whole pNN folders absent (a partial download) are reported once per folder.
    const present = new Set(isDir(join(path, 'files')) ? readdirSync(join(path, 'files')) : []);
    const absent = new Map<string, number>();
    const wanted = new NumberColumn();
    for (let k = 0; k < rows.length; k++) {
      if (options.views === 'frontal' && !frontal(k)) continue;
      const top = `p${rows.subjectAt(k).slice(0, 2)}`;
      if (!present.has(top)) absent.set(top, (absent.get(top) ?? 0) + 1);
      else wanted.push(k);
    }
    for (const [top, count] of absent)
      skipGroup(
        problems,
        `files/${top}`,
        `files/${top}`,
        count,
        'the folder is not in this copy of the release',
      );

    const reports = await reportReader(path, problems);
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    // Handed over STREAM_BATCH examples at a time, each made when the store asks for its batch
    // (the reports of the next STREAM_BATCH rows read as they are reached).
    async function* batches(): AsyncGenerator<ParsedBatch> {
      let examples: ParsedExample[] = [];
      let images = new Map<string, ImageSource>();
      let made = 0;
      let targets: Targets = new Map();
      let readUpTo = 0;
      try {
        for (let k = 0; k < wanted.length; k++) {
          if (made >= limit) break;
          const r = rows.at(wanted.at(k));
          if (k >= readUpTo) {
            readUpTo = Math.min(wanted.length, k + STREAM_BATCH);
            const window: Row[] = [];
            for (let j = k; j < readUpTo; j++) window.push(rows.at(wanted.at(j)));
            targets = await reports.of(window);
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
      } finally {
        await reports.close();
      }
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
          view: r.view,
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
