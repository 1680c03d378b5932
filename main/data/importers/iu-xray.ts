import { join } from 'node:path';
import { findEntry, readText } from '#main/data/fs-utils';
import { headerIndex, parseCsv } from '#main/data/text/delimited';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { limited, meta } from './common';

const cap = taskOf('captioning');

/**
 * IU X-ray (Open-i, as `indiana_reports.csv` + `indiana_projections.csv` + `images/`): one
 * captioning example per image, caption = findings + impression; both projections of a study
 * are grouped so they land in the same split.
 */
export const iuXrayImporter: Importer = {
  format: 'iu-xray',
  label: 'IU X-ray (reports + projections CSV)',
  description:
    '`indiana_reports.csv` (uid, findings, impression) + `indiana_projections.csv` (uid, filename, projection) + images',
  detect: (p) =>
    p.isDir && p.entries.includes('indiana_reports.csv') && p.entries.includes('indiana_projections.csv'),
  async parse(path, options, problems) {
    const reports = parseCsv(await readText(join(path, 'indiana_reports.csv'), problems));
    const projections = parseCsv(await readText(join(path, 'indiana_projections.csv'), problems));
    const rh = headerIndex(reports[0]?.cells ?? [], ['uid', 'findings', 'impression']);
    const ph = headerIndex(projections[0]?.cells ?? [], ['uid', 'filename', 'projection']);
    if (rh.missing.length > 0) {
      problems.fail(
        'indiana_reports.csv',
        `missing column(s) ${rh.missing.join(', ')} (found ${reports[0]?.cells.join(', ')})`,
        { line: 1 },
      );
    }
    if (ph.missing.length > 0) {
      problems.fail(
        'indiana_projections.csv',
        `missing column(s) ${ph.missing.join(', ')} (found ${projections[0]?.cells.join(', ')})`,
        {
          line: 1,
        },
      );
    }
    const captions = new Map<string, string>();
    for (const [k, row] of reports.slice(1).entries()) {
      const uid = row.cells[rh.index['uid']!]?.trim() ?? '';
      const text = [row.cells[rh.index['findings']!], row.cells[rh.index['impression']!]]
        .map((t) => (t ?? '').trim())
        .filter((t) => t !== '')
        .join(' ');
      const ref = { file: 'indiana_reports.csv', id: uid || `[${k}]`, line: row.line };
      if (!uid) problems.skip(ref, 'uid', 'uid is empty');
      else if (!text) problems.skip(ref, 'findings', 'the report has neither findings nor impression');
      else captions.set(uid, text);
    }
    let imageDir = findEntry(path, 'images') ?? path;
    const nested = findEntry(imageDir, 'images_normalized');
    if (nested) imageDir = nested;
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const [k, row] of projections.slice(1).entries()) {
      const uid = row.cells[ph.index['uid']!]?.trim() ?? '';
      const file = row.cells[ph.index['filename']!]?.trim() ?? '';
      const ref = { file: 'indiana_projections.csv', id: file || `[${k}]`, line: row.line };
      if (!uid || !file) {
        problems.skip(ref, uid ? 'filename' : 'uid', 'uid and filename are required');
        continue;
      }
      const caption = captions.get(uid);
      if (!caption) continue; // its report was skipped above (or has no row)
      if (!images.has(file)) images.set(file, { kind: 'file', path: join(imageDir, file) });
      examples.push({
        ref,
        task: 'captioning',
        inputs: {},
        target: cap.formatTarget(caption),
        image: file,
        group: `study:${uid}`,
        meta: meta({
          projection: row.cells[ph.index['projection']!]?.trim(),
          sourceId: uid,
          modality: 'x-ray',
          organ: 'chest',
        }),
      });
    }
    return {
      format: 'iu-xray',
      name: 'IU X-ray',
      task: 'captioning',
      examples: limited(examples, options),
      images,
      meta: { source: 'Demner-Fushman et al. 2016, Open-i Indiana University chest X-rays' },
    };
  },
};
