import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { isDir, readText } from '#main/data/fs-utils';
import type { Problems, RecordRef } from '#main/data/problems';
import { headerIndex, parseTsv } from '#main/data/text/delimited';
import { parseJson, topLevelLines } from '#main/data/text/json';
import type { Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { isRecord, limited, meta, splitFromName } from './common';

const sum = taskOf('summarization');

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
  }
  return String(v);
}

function pair(
  ref: RecordRef,
  source: string,
  target: string,
  extra: Record<string, string | undefined>,
  split?: 'train' | 'validation' | 'test',
): ParsedExample {
  return {
    ref,
    ...(split ? { split } : {}),
    task: 'summarization',
    inputs: { source: source.trim() },
    target: sum.formatTarget(target),
    meta: meta(extra),
  };
}

async function fromXlsx(file: string, problems: Problems): Promise<ParsedExample[]> {
  const name = basename(file);
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.readFile(file);
  } catch (err) {
    problems.fail(name, `not a readable .xlsx workbook (${(err as Error).message})`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet || sheet.rowCount === 0) problems.fail(name, 'the workbook is empty');
  const rows: { line: number; cells: string[] }[] = [];
  sheet!.eachRow((row, n) => {
    const values = (row.values as unknown[]).slice(1).map(cellText);
    rows.push({ line: n, cells: values });
  });
  return fromRows(rows, name, problems);
}

function fromRows(
  /** `record`: the row is a JSON record (an empty one is reported, not passed over as a blank row). */
  rows: { line: number; cells: readonly string[]; record?: boolean }[],
  name: string,
  problems: Problems,
): ParsedExample[] {
  const header = rows[0];
  if (!header) problems.fail(name, 'the file is empty');
  const { index, missing } = headerIndex(header!.cells, ['CHQ', 'Summary']);
  if (missing.length > 0) {
    problems.fail(
      name,
      `missing column(s) ${missing.join(', ')}; expected a header with File, CHQ, Summary (found ${header!.cells.join(', ')})`,
      {
        line: header!.line,
      },
    );
  }
  const fileCol = headerIndex(header!.cells, ['File']).index['File'];
  const out: ParsedExample[] = [];
  for (const [k, row] of rows.slice(1).entries()) {
    const chq = row.cells[index['CHQ']!] ?? '';
    const summary = row.cells[index['Summary']!] ?? '';
    const fileId = fileCol === undefined ? '' : (row.cells[fileCol] ?? '').trim();
    const ref: RecordRef = { file: name, id: fileId || `[${k}]`, line: row.line };
    if (chq.trim() === '' && summary.trim() === '' && !row.record) continue; // a blank spreadsheet row
    if (chq.trim() === '') problems.skip(ref, 'CHQ', 'the question (CHQ) is missing or empty');
    else if (summary.trim() === '') problems.skip(ref, 'Summary', 'the summary is missing or empty');
    else out.push(pair(ref, chq, summary, { sourceId: fileId || undefined }));
  }
  return out;
}

async function fromTsv(file: string, problems: Problems): Promise<ParsedExample[]> {
  const name = basename(file);
  const split = splitFromName(name);
  const out: ParsedExample[] = [];
  for (const [k, row] of parseTsv(await readText(file, problems)).entries()) {
    const ref: RecordRef = { file: name, id: `[${k}]`, line: row.line };
    if (row.cells.length !== 2) {
      problems.skip(
        ref,
        undefined,
        `expected 2 tab-separated columns (question, summary), found ${row.cells.length}`,
      );
      continue;
    }
    if (row.cells[0]!.trim() === '' || row.cells[1]!.trim() === '') {
      problems.skip(ref, row.cells[0]!.trim() === '' ? 'question' : 'summary', 'the column is empty');
      continue;
    }
    out.push(pair(ref, row.cells[0]!, row.cells[1]!, {}, split));
  }
  return out;
}

async function fromJson(file: string, problems: Problems): Promise<ParsedExample[]> {
  const name = basename(file);
  const text = await readText(file, problems);
  const data = parseJson(text, name, problems);
  if (!Array.isArray(data))
    problems.fail(name, 'expected a JSON array of {CHQ, Summary} records', { line: 1 });
  const lines = topLevelLines(text);
  // A record that is not an object, or lacks CHQ / Summary, becomes a row with empty cells: skipped.
  const rows = (data as unknown[]).map((rec, k) => {
    if (!isRecord(rec)) return { line: lines[k] ?? 1, cells: [] as string[], record: true };
    return {
      line: lines[k] ?? 1,
      record: true,
      cells: [
        cellText(rec['File']),
        cellText(rec['CHQ'] ?? rec['question']),
        cellText(rec['Summary'] ?? rec['summary']),
      ],
    };
  });
  return fromRows([{ line: 0, cells: ['File', 'CHQ', 'Summary'] }, ...rows], name, problems);
}

function filesOf(path: string): string[] {
  if (!isDir(path)) return [path];
  const entries = readdirSync(path).sort();
  const xlsx = entries.find((e) => e.toLowerCase().endsWith('.xlsx'));
  if (xlsx) return [join(path, xlsx)];
  const tsvs = entries.filter((e) => e.toLowerCase().endsWith('.tsv'));
  if (tsvs.length > 0) return tsvs.map((e) => join(path, e));
  return entries
    .filter((e) => e.toLowerCase().endsWith('.json'))
    .map((e) => join(path, e))
    .slice(0, 1);
}

/** MeQSum: the authors' `.xlsx` (File, CHQ, Summary), the BiomedGPT TSVs, or the JSON rows. */
export const meqsumImporter: Importer = {
  format: 'meqsum',
  label: 'MeQSum',
  description: 'MeQSum `.xlsx` (File, CHQ, Summary), `train/valid/test.tsv` (question<TAB>summary) or JSON',
  detect: (p) =>
    p.isDir
      ? p.entries.some((e) => /^meqsum.*\.xlsx$/i.test(e)) ||
        p.entries.some((e) => /^meqsum.*\.json$/i.test(e))
      : /meqsum.*\.(xlsx|json|tsv)$/i.test(p.base),
  async parse(path, options, problems) {
    const examples: ParsedExample[] = [];
    for (const file of filesOf(path)) {
      const lower = file.toLowerCase();
      if (lower.endsWith('.xlsx')) examples.push(...(await fromXlsx(file, problems)));
      else if (lower.endsWith('.tsv')) examples.push(...(await fromTsv(file, problems)));
      else examples.push(...(await fromJson(file, problems)));
    }
    if (examples.length === 0 && problems.errorCount === 0)
      problems.fail(basename(path), 'no question/summary pairs found');
    return {
      format: 'meqsum',
      name: 'MeQSum',
      task: 'summarization',
      examples: limited(examples, options),
      images: new Map(),
      meta: { source: 'Ben Abacha and Demner-Fushman 2019 (ACL)' },
    };
  },
};
