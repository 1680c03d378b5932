import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findEntry, isDir } from '#main/data/fs-utils';
import type { ImageSource, Importer, ParsedExample, Probe } from '#main/data/types';
import type { DatasetFormat } from '#shared/domain/dataset';
import { taskOf } from '#shared/tasks';
import { limited, meta } from './common';
import { skipRecord } from './records';

const cls = taskOf('image_classification');
const LABELS = ['normal', 'tuberculosis'] as const;
/** Files of the release that are not records (Windows thumbnail caches). */
const NOT_RECORDS = new Set(['thumbs.db', 'desktop.ini']);

interface TbSet {
  readonly format: DatasetFormat;
  readonly title: string;
  readonly prefix: string;
  /** The folder the zip unpacks to. */
  readonly folder: string;
  readonly source: string;
}

const SHENZHEN: TbSet = {
  format: 'shenzhen-cxr',
  title: 'Shenzhen chest X-ray (tuberculosis)',
  prefix: 'CHNCXR',
  folder: 'ChinaSet_AllFiles',
  source: 'Jaeger et al. 2014, Shenzhen No.3 Hospital set (NLM)',
};
const MONTGOMERY: TbSet = {
  format: 'montgomery-cxr',
  title: 'Montgomery County chest X-ray (tuberculosis)',
  prefix: 'MCUCXR',
  folder: 'MontgomerySet',
  source: 'Jaeger et al. 2014, Montgomery County set (NLM)',
};

/** The folder holding `CXR_png/`: the import path or the set's own folder inside it. */
function rootOf(path: string, set: TbSet): string | undefined {
  for (const dir of [path, findEntry(path, set.folder)]) {
    if (!dir) continue;
    const png = findEntry(dir, 'CXR_png');
    if (png && isDir(png) && readdirSync(png).some((f) => f.startsWith(`${set.prefix}_`))) return dir;
  }
  return undefined;
}

/**
 * The clinical reading of an image: Montgomery's `Patient's Sex: M` / `Patient's Age: 035Y`
 * lines or Shenzhen's `male 35yrs` first line, and the reading itself (the other lines).
 */
export function parseReading(text: string): { sex?: string; age?: string; reading: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  let sex: string | undefined;
  let age: string | undefined;
  const rest: string[] = [];
  for (const [k, l] of lines.entries()) {
    const mSex = /^patient'?s sex:\s*([MF])/i.exec(l);
    const mAge = /^patient'?s age:\s*0*(\d+)\s*([YMD])?/i.exec(l);
    const mBoth = k === 0 ? /^(male|female)\b[\s,]*(\d+)?\s*(yrs?|years?|months?|days?)?/i.exec(l) : null;
    if (mSex) sex = mSex[1]!.toUpperCase() === 'M' ? 'male' : 'female';
    else if (mAge) age = `${mAge[1]}${(mAge[2] ?? 'Y').toLowerCase()}`;
    else if (mBoth) {
      sex = mBoth[1]!.toLowerCase();
      if (mBoth[2]) age = `${Number(mBoth[2])}${(mBoth[3] ?? 'y')[0]!.toLowerCase()}`;
      const after = l.slice(mBoth[0].length).trim();
      if (after) rest.push(after);
    } else rest.push(l);
  }
  return { ...(sex ? { sex } : {}), ...(age ? { age } : {}), reading: rest.join(' ') };
}

function tbImporter(set: TbSet): Importer {
  return {
    format: set.format,
    label: `${set.title} (CXR_png)`,
    description: `\`CXR_png/${set.prefix}_NNNN_{0,1}.png\` (1 = tuberculosis) + \`ClinicalReadings/*.txt\``,
    detect: (p: Probe) =>
      p.isDir &&
      (p.entries.includes('CXR_png') || p.entries.includes(set.folder)) &&
      rootOf(p.path, set) !== undefined,
    async parse(path, options, problems) {
      const root = rootOf(path, set);
      if (!root) return problems.fail(path, `no CXR_png/ folder with ${set.prefix}_*.png images`);
      const pngDir = findEntry(root, 'CXR_png')!;
      const readingsDir = findEntry(root, 'ClinicalReadings');
      const readings = new Set(readingsDir ? readdirSync(readingsDir) : []);
      const examples: ParsedExample[] = [];
      const images = new Map<string, ImageSource>();
      const pattern = new RegExp(`^(${set.prefix}_\\d{4})_([01])\\.png$`, 'i');
      for (const file of readdirSync(pngDir).sort()) {
        if (NOT_RECORDS.has(file.toLowerCase()) || file.startsWith('.')) continue;
        const m = pattern.exec(file);
        if (!m) {
          skipRecord(
            problems,
            `CXR_png/${file}`,
            file,
            `the name is not ${set.prefix}_NNNN_0.png or _1.png`,
            {
              field: 'file name',
            },
          );
          continue;
        }
        const label = LABELS[Number(m[2])]!;
        const txt = file.replace(/\.png$/i, '.txt');
        let info: ReturnType<typeof parseReading> | undefined;
        if (readings.has(txt)) info = parseReading(await readFile(join(readingsDir!, txt), 'latin1'));
        else problems.warn(`ClinicalReadings/${txt}`, `no clinical reading for ${file} (imported without)`);
        images.set(file, { kind: 'file', path: join(pngDir, file) });
        examples.push({
          task: 'image_classification',
          inputs: {},
          target: cls.formatTarget(label),
          candidates: [...LABELS],
          image: file,
          group: `patient:${m[1]}`,
          meta: meta({
            label,
            sourceId: m[1],
            answerType: 'closed',
            sex: info?.sex,
            age: info?.age,
            reading: info?.reading,
            modality: 'x-ray',
            organ: 'chest',
          }),
        });
      }
      if (examples.length === 0) problems.fail('CXR_png', `no ${set.prefix}_NNNN_{0,1}.png images`);
      return {
        format: set.format,
        name: set.title,
        task: 'image_classification',
        examples: limited(examples, options),
        images,
        meta: { labelNames: [...LABELS], source: set.source },
      };
    },
  };
}

/** Shenzhen (`ChinaSet_AllFiles/CXR_png/CHNCXR_0001_0.png`, 662 images). */
export const shenzhenImporter = tbImporter(SHENZHEN);
/** Montgomery County (`MontgomerySet/CXR_png/MCUCXR_0001_0.png`, 138 images). */
export const montgomeryImporter = tbImporter(MONTGOMERY);
