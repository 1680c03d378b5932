import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { At, Problems } from '#main/data/problems';
import { streamCsv } from '#main/data/text/csv-stream';

/**
 * Records one skipped record of a publisher's file by its own id (a dicom_id, ROW_ID, NCT id,
 * patientId, ...), the field at fault and the reason; the import goes on without it (under
 * `strict` it is refused). The same policy as `problems.skip` (main/data/README.md).
 */
export function skipRecord(
  problems: Problems,
  file: string,
  record: string,
  reason: string,
  at: At = {},
): void {
  problems.skip({ file, id: record, ...(at.line !== undefined ? { line: at.line } : {}) }, at.field, reason);
}

/**
 * Records that a whole group of records is absent (a folder of a partial download), once: one
 * entry names the group (`what`), and the skipped count grows by `count`.
 */
export function skipGroup(
  problems: Problems,
  file: string,
  what: string,
  count: number,
  reason: string,
): void {
  problems.skipMany({ file, id: what }, count, `${count} record(s) skipped: ${reason}`);
}

/**
 * A copy of `s` that does not share memory with the chunk it was cut from: V8 keeps a whole
 * 64 KiB chunk alive for a sliced string, so values kept from a multi-gigabyte stream must be
 * copied (short strings are copied by V8 anyway).
 */
function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** One data row of a CSV read by `csvRecords`: its line and its cells by column name. */
export interface CsvRecord {
  readonly line: number;
  /** The trimmed cell of a column named in `columns` ('' when the row is short). */
  get(column: string): string;
}

/**
 * The rows of a CSV (plain or `.gz`, streamed) by column name; the header must hold `columns`
 * (case-insensitive), else the import stops naming the missing ones.
 */
export async function* csvRecords(
  path: string,
  shown: string,
  columns: readonly string[],
  problems: Problems,
): AsyncGenerator<CsvRecord> {
  let index: Map<string, number> | undefined;
  let rows = 0;
  try {
    for await (const row of streamCsv(path)) {
      if (!index) {
        const header = row.cells.map((c) => c.trim().toLowerCase());
        const missing = columns.filter((c) => !header.includes(c.toLowerCase()));
        if (missing.length > 0)
          problems.fail(shown, `missing column(s) ${missing.join(', ')} (found ${row.cells.join(', ')})`, {
            line: row.line,
          });
        index = new Map(columns.map((c) => [c, header.indexOf(c.toLowerCase())]));
        continue;
      }
      rows++;
      const idx = index;
      yield { line: row.line, get: (c) => detach((row.cells[idx.get(c) ?? -1] ?? '').trim()) };
    }
  } catch (err) {
    if ((err as Error).name === 'ImportAborted') throw err;
    problems.fail(
      shown,
      `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  if (!index || rows === 0) problems.fail(shown, 'the file has no data rows');
}

/** The first of `names` (each tried as given and gzipped) that exists in `dir`. */
export function publisherFile(dir: string, ...names: string[]): string | undefined {
  for (const n of names) {
    for (const candidate of [n, `${n}.gz`]) if (existsSync(join(dir, candidate))) return join(dir, candidate);
  }
  return undefined;
}
