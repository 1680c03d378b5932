import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findEntry } from '#main/data/fs-utils';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { meta } from './common';
import { csvRecords, skipRecord } from './records';

const cls = taskOf('image_classification');
const LABELS = ['no pneumonia', 'pneumonia'] as const;
const STAGES = ['stage_2', 'stage_1'] as const;

interface Patient {
  readonly line: number;
  target: 0 | 1 | null;
  boxes: number;
  bad?: { field: string; reason: string };
}

const stageOf = (entries: readonly string[]) => STAGES.find((s) => entries.includes(`${s}_train_labels.csv`));

/**
 * RSNA Pneumonia Detection Challenge (Kaggle, 2018): `stage_2_train_labels.csv` (patientId, x, y,
 * width, height, Target; one row per box, or one row with Target 0) and
 * `stage_2_train_images/<patientId>.dcm`, optionally `stage_2_detailed_class_info.csv`. One
 * example per patient: pneumonia when any row has Target 1. The DICOMs are de-identified on
 * import like every DICOM. The test images have no labels and are not imported.
 */
export const rsnaPneumoniaImporter: Importer = {
  format: 'rsna-pneumonia',
  label: 'RSNA Pneumonia Detection (labels CSV + DICOM)',
  description: '`stage_2_train_labels.csv` + `stage_2_train_images/<patientId>.dcm`',
  detect: (p) => p.isDir && stageOf(p.entries) !== undefined,
  async parse(path, options, problems) {
    const stage = stageOf(
      [`stage_2_train_labels.csv`, 'stage_1_train_labels.csv'].filter((f) => existsSync(join(path, f))),
    )!;
    const labelsName = `${stage}_train_labels.csv`;
    const patients = new Map<string, Patient>();
    const cols = ['patientId', 'x', 'y', 'width', 'height', 'Target'];
    for await (const r of csvRecords(join(path, labelsName), labelsName, cols, problems)) {
      const id = r.get('patientId');
      if (!id) {
        skipRecord(problems, labelsName, `line ${r.line}`, 'patientId is empty', {
          line: r.line,
          field: 'patientId',
        });
        continue;
      }
      const p = patients.get(id) ?? { line: r.line, target: null, boxes: 0 };
      patients.set(id, p);
      const t = r.get('Target');
      const box = ['x', 'y', 'width', 'height'].map((c) => r.get(c));
      if (t !== '0' && t !== '1') p.bad ??= { field: 'Target', reason: `Target is "${t}" (expected 0 or 1)` };
      else if (t === '1' && box.some((v) => v === '' || !Number.isFinite(Number(v))))
        p.bad ??= { field: 'x', reason: 'a Target 1 row without a complete box' };
      else if (p.target !== null && (p.target === 1) !== (t === '1'))
        p.bad ??= { field: 'Target', reason: 'rows with Target 0 and Target 1' };
      else {
        p.target = t === '1' ? 1 : 0;
        if (t === '1') p.boxes++;
      }
    }
    const classes = new Map<string, string>();
    const classFile = `${stage}_detailed_class_info.csv`;
    if (existsSync(join(path, classFile))) {
      for await (const r of csvRecords(join(path, classFile), classFile, ['patientId', 'class'], problems))
        classes.set(r.get('patientId'), r.get('class'));
    }
    const imageDir = findEntry(path, `${stage}_train_images`) ?? path;
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const [id, p] of patients) {
      if (options.limit !== undefined && examples.length >= options.limit) break;
      if (p.bad || p.target === null) {
        skipRecord(problems, labelsName, id, p.bad?.reason ?? 'no label', {
          line: p.line,
          field: p.bad?.field ?? 'Target',
        });
        continue;
      }
      const file = join(imageDir, `${id}.dcm`);
      if (!existsSync(file)) {
        skipRecord(problems, labelsName, id, `${stage}_train_images/${id}.dcm is missing`, {
          line: p.line,
          field: 'patientId',
        });
        continue;
      }
      const label = LABELS[p.target]!;
      images.set(id, { kind: 'file', path: file });
      examples.push({
        task: 'image_classification',
        inputs: {},
        target: cls.formatTarget(label),
        candidates: [...LABELS],
        image: id,
        group: `patient:${id}`,
        meta: meta({
          label,
          answerType: 'closed',
          sourceId: id,
          boxes: p.boxes,
          class: classes.get(id),
          organ: 'chest',
        }),
      });
    }
    return {
      format: 'rsna-pneumonia',
      name: 'RSNA Pneumonia',
      task: 'image_classification',
      examples,
      images,
      meta: {
        labelNames: [...LABELS],
        source: 'RSNA Pneumonia Detection Challenge 2018 (Kaggle), stage 2 train',
      },
    };
  },
};
