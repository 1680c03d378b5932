import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import ExcelJS from 'exceljs';
import { isDir, readText } from '#main/data/fs-utils';
import type { Problems } from '#main/data/problems';
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
  source: string,
  target: string,
  extra: Record<string, string | undefined>,
  split?: 'train' | 'validation' | 'test',
): ParsedExample {
  return {
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
  rows: { line: number; cells: readonly string[] }[],
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
  for (const row of rows.slice(1)) {
    const chq = row.cells[index['CHQ']!] ?? '';
    const summary = row.cells[index['Summary']!] ?? '';
    if (chq.trim() === '' && summary.trim() === '') continue;
    if (chq.trim() === '') problems.error(name, 'CHQ is empty', { line: row.line, field: 'CHQ' });
    else if (summary.trim() === '')
      problems.error(name, 'Summary is empty', { line: row.line, field: 'Summary' });
    else out.push(pair(chq, summary, { sourceId: fileCol === undefined ? undefined : row.cells[fileCol] }));
  }
  return out;
}

async function fromTsv(file: string, problems: Problems): Promise<ParsedExample[]> {
  const name = basename(file);
  const split = splitFromName(name);
  const out: ParsedExample[] = [];
  for (const row of parseTsv(await readText(file, problems))) {
    if (row.cells.length !== 2) {
      problems.error(
        name,
        `expected 2 tab-separated columns (question, summary), found ${row.cells.length}`,
        { line: row.line },
      );
      continue;
    }
    out.push(pair(row.cells[0]!, row.cells[1]!, {}, split));
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
  const rows = (data as unknown[]).map((rec, k) => {
    if (!isRecord(rec)) return { line: lines[k] ?? 1, cells: [] as string[] };
    return {
      line: lines[k] ?? 1,
      cells: [
        cellText(rec['File']),
        cellText(rec['CHQ'] ?? rec['question']),
        cellText(rec['Summary'] ?? rec['summary']),
      ],
    };
  });
  const wrong = (data as unknown[]).findIndex(
    (r) =>
      !isRecord(r) ||
      (r['CHQ'] ?? r['question']) === undefined ||
      (r['Summary'] ?? r['summary']) === undefined,
  );
  if (wrong >= 0) {
    problems.fail(name, 'each record needs CHQ and Summary (or question and summary)', {
      line: lines[wrong] ?? 1,
      field: 'CHQ',
    });
  }
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
