import { basename, join } from 'node:path';
import { reportSections } from '#main/data/text/radiology-report';
import type { Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { meta } from './common';
import { csvRecords, publisherFile, skipRecord } from './records';

const sum = taskOf('summarization');
const NOTES = 'NOTEEVENTS.csv';
const COLUMNS = ['ROW_ID', 'SUBJECT_ID', 'CATEGORY', 'DESCRIPTION', 'ISERROR', 'TEXT'] as const;

const notesFile = (path: string, isDir: boolean): string | undefined =>
  isDir ? publisherFile(path, NOTES) : path;

/**
 * MIMIC-III v1.4 clinical notes, `NOTEEVENTS.csv.gz` (or unpacked, ~4 GB) as PhysioNet ships it,
 * read as a stream. Radiology reports (CATEGORY `Radiology`) become findings-to-impression
 * summarisation examples; notes flagged ISERROR = 1 and reports without both sections are skipped
 * by ROW_ID. No official split: the store draws one grouped by SUBJECT_ID.
 */
export const mimicNotesImporter: Importer = {
  format: 'mimic-iii-notes',
  label: 'MIMIC-III notes (radiology findings to impression)',
  description: '`NOTEEVENTS.csv(.gz)` (ROW_ID, SUBJECT_ID, CATEGORY, ISERROR, TEXT), radiology reports',
  detect: (p) =>
    p.isDir
      ? p.entries.some((e) => e === NOTES || e === `${NOTES}.gz`)
      : /^noteevents\.csv(\.gz)?$/.test(p.base),
  async parse(path, options, problems) {
    const file = notesFile(path, !/\.csv(\.gz)?$/i.test(path)) ?? join(path, NOTES);
    const shown = basename(file);
    const examples: ParsedExample[] = [];
    let radiology = 0;
    for await (const r of csvRecords(file, shown, COLUMNS, problems)) {
      if (r.get('CATEGORY').toLowerCase() !== 'radiology') continue;
      radiology++;
      const id = r.get('ROW_ID') || `line ${r.line}`;
      const subject = r.get('SUBJECT_ID');
      if (!subject) {
        skipRecord(problems, shown, id, 'SUBJECT_ID is empty', { line: r.line, field: 'SUBJECT_ID' });
        continue;
      }
      if (r.get('ISERROR') === '1') {
        skipRecord(problems, shown, id, 'flagged as an error by the hospital (ISERROR = 1)', {
          line: r.line,
          field: 'ISERROR',
        });
        continue;
      }
      const s = reportSections(r.get('TEXT'));
      if (!s.findings || !s.impression) {
        skipRecord(
          problems,
          shown,
          id,
          `the report has no ${s.findings ? 'IMPRESSION' : 'FINDINGS'} section`,
          {
            line: r.line,
            field: 'TEXT',
          },
        );
        continue;
      }
      examples.push({
        task: 'summarization',
        inputs: { source: s.findings },
        target: sum.formatTarget(s.impression),
        group: `patient:${subject}`,
        meta: meta({ sourceId: id, description: r.get('DESCRIPTION'), modality: 'radiology report' }),
      });
      if (options.limit !== undefined && examples.length >= options.limit) break;
    }
    if (radiology === 0) problems.fail(shown, 'no note has CATEGORY "Radiology"');
    return {
      format: 'mimic-iii-notes',
      name: 'MIMIC-III radiology summarisation',
      task: 'summarization',
      examples,
      images: new Map(),
      meta: {
        source: 'Johnson et al. 2016, MIMIC-III v1.4 NOTEEVENTS (PhysioNet, credentialed access)',
        input: 'FINDINGS',
        target: 'IMPRESSION',
      },
    };
  },
};
