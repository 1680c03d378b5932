import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findEntry, isDir, walkFiles } from '#main/data/fs-utils';
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
import { csvRecords, skipRecord } from './records';

const cls = taskOf('image_classification');
const LABELS = ['benign', 'malignant'] as const;
/** The four case-description CSVs of CBIS-DDSM (TCIA), abnormality type and split. */
const CSVS = [
  ['mass_case_description_train_set.csv', 'mass', 'train'],
  ['mass_case_description_test_set.csv', 'mass', 'test'],
  ['calc_case_description_train_set.csv', 'calcification', 'train'],
  ['calc_case_description_test_set.csv', 'calcification', 'test'],
] as const;
const PATHOLOGY: Readonly<Record<string, (typeof LABELS)[number]>> = {
  MALIGNANT: 'malignant',
  BENIGN: 'benign',
  BENIGN_WITHOUT_CALLBACK: 'benign',
};
const COLUMNS = [
  'patient_id',
  'left or right breast',
  'image view',
  'abnormality id',
  'pathology',
  'image file path',
  'cropped image file path',
] as const;

const dicomsUnder = (dir: string): string[] =>
  isDir(dir) ? walkFiles(dir).filter((f) => /\.dcm$/i.test(f)) : [];

/**
 * The DICOM a CSV path names, under `base`: the path as written (TCIA's
 * `<series folder>/<StudyUID>/<SeriesUID>/000000.dcm`), else the DICOM found under the path's
 * first folder (the NBIA Data Retriever's descriptive layout, `…/1-1.dcm`). A crop is the smaller
 * of the DICOMs in its folder: the CSVs swap crop and ROI-mask names in some rows.
 */
function resolveDicom(base: string, csvPath: string, crop: boolean): string | undefined {
  const rel = csvPath.replace(/\\/g, '/').trim();
  const exact = join(base, rel);
  const top = rel.split('/')[0] ?? '';
  const folder = existsSync(exact) ? join(exact, '..') : top ? join(base, top) : '';
  if (!crop) {
    if (existsSync(exact)) return exact;
    const found = folder ? dicomsUnder(folder) : [];
    return found.length === 1 ? found[0] : undefined;
  }
  const found = folder ? dicomsUnder(folder) : [];
  if (found.length === 0) return undefined;
  return found.map((f) => [f, statSync(f).size] as const).sort((a, b) => a[1] - b[1])[0]![0];
}

interface Case {
  readonly key: string;
  readonly file: string;
  readonly split: Split;
  readonly patient: string;
  label: (typeof LABELS)[number];
  readonly meta: Record<string, string | number | undefined>;
  readonly csv: string;
  readonly line: number;
}

/**
 * CBIS-DDSM (TCIA): the mass and calcification case-description CSVs (train and test sets, the
 * official split) with the DICOMs they point to, in `CBIS-DDSM/` beside the CSVs or in the same
 * folder. One example per full mammogram (malignant when any of its abnormalities is), or with
 * `lesionCrops` one per abnormality's cropped image. BENIGN_WITHOUT_CALLBACK is benign. Grouped
 * by patient: a patient of the test set is kept out of train.
 */
export const cbisDdsmImporter: Importer = {
  format: 'cbis-ddsm',
  label: 'CBIS-DDSM (case-description CSVs + DICOM)',
  description: '`{mass,calc}_case_description_{train,test}_set.csv` + `CBIS-DDSM/<series>/…/*.dcm`',
  detect: (p) => p.isDir && CSVS.some(([name]) => p.entries.includes(name)),
  async parse(path, options, problems) {
    const base = findEntry(path, 'CBIS-DDSM') ?? path;
    const crops = options.lesionCrops;
    const cases = new Map<string, Case>();
    const testPatients = new Set<string>();
    for (const [name, abnormality, split] of CSVS) {
      if (!existsSync(join(path, name))) continue;
      for await (const r of csvRecords(join(path, name), name, COLUMNS, problems)) {
        const patient = r.get('patient_id');
        const id = [
          patient,
          r.get('left or right breast'),
          r.get('image view'),
          r.get('abnormality id'),
        ].join('_');
        const at = (field: string) => ({ line: r.line, field });
        const label = PATHOLOGY[r.get('pathology').toUpperCase()];
        if (!patient) {
          skipRecord(problems, name, `line ${r.line}`, 'patient_id is empty', at('patient_id'));
          continue;
        }
        if (!label) {
          skipRecord(
            problems,
            name,
            id,
            `pathology "${r.get('pathology')}" is not MALIGNANT, BENIGN or BENIGN_WITHOUT_CALLBACK`,
            at('pathology'),
          );
          continue;
        }
        const column = crops ? 'cropped image file path' : 'image file path';
        const file = resolveDicom(base, r.get(column), crops);
        if (!file) {
          skipRecord(problems, name, id, `no DICOM at ${r.get(column) || '(empty path)'}`, at(column));
          continue;
        }
        if (split === 'test') testPatients.add(patient);
        const key = crops ? `${abnormality}:${id}` : file;
        const known = cases.get(key);
        if (known) {
          if (label === 'malignant') known.label = 'malignant';
          continue;
        }
        cases.set(key, {
          key,
          file,
          split,
          patient,
          label,
          csv: name,
          line: r.line,
          meta: {
            sourceId: crops ? id : id.replace(/_[^_]*$/, ''),
            abnormality,
            side: r.get('left or right breast').toLowerCase(),
            view: r.get('image view'),
            assessment: r.get('assessment') || undefined,
            subtlety: r.get('subtlety') || undefined,
          },
        });
      }
    }
    if (cases.size === 0 && problems.errorCount === 0 && !CSVS.some(([n]) => existsSync(join(path, n))))
      problems.fail(path, 'no CBIS-DDSM case-description CSV');
    // Handed over STREAM_BATCH examples at a time (the store writes each batch before it asks for
    // the next). The cases are read whole first: a mammogram is malignant when any of its rows is.
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    function* batches(): Generator<ParsedBatch> {
      let examples: ParsedExample[] = [];
      let images = new Map<string, ImageSource>();
      let made = 0;
      for (const c of cases.values()) {
        if (made >= limit) break;
        if (c.split === 'train' && testPatients.has(c.patient)) {
          skipRecord(problems, c.csv, String(c.meta['sourceId']), `patient ${c.patient} is in the test set`, {
            line: c.line,
            field: 'patient_id',
          });
          continue;
        }
        images.set(c.key, { kind: 'file', path: c.file });
        examples.push({
          split: c.split,
          task: 'image_classification',
          inputs: {},
          target: cls.formatTarget(c.label),
          candidates: [...LABELS],
          image: c.key,
          group: `patient:${c.patient}`,
          meta: meta({ label: c.label, answerType: 'closed', organ: 'breast', ...c.meta }),
        });
        made++;
        if (examples.length === STREAM_BATCH) {
          yield { examples, images };
          [examples, images] = [[], new Map()];
        }
      }
      if (examples.length > 0) yield { examples, images };
    }
    const kinds = [...new Set([...cases.values()].map((c) => c.meta['abnormality']))].sort();
    return {
      format: 'cbis-ddsm',
      name: `CBIS-DDSM ${kinds.join(' + ')}${crops ? ' (crops)' : ''}`,
      task: 'image_classification',
      total: Math.min(limit, cases.size),
      batches: batches(),
      meta: {
        labelNames: [...LABELS],
        images: crops ? 'cropped lesions' : 'full mammograms',
        source: 'Lee et al. 2017, CBIS-DDSM (TCIA); BENIGN_WITHOUT_CALLBACK counted as benign',
      },
    };
  },
};
