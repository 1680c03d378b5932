import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Row } from './delimited';

/** The rows found in `src` from `from`, and where the first incomplete row starts. */
interface Scan {
  readonly rows: Row[];
  readonly end: number;
  readonly line: number;
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * RFC 4180 rows of `src` (the same grammar as `parseCsv`). Without `final`, a row that may go on
 * in the next chunk is left unread: `end` is where it starts.
 */
function scan(src: string, final: boolean, startLine: number): Scan {
  const rows: Row[] = [];
  const n = src.length;
  let i = 0;
  let line = startLine;
  while (i < n) {
    const rowStart = i;
    const rowLine = line;
    const cells: string[] = [];
    for (;;) {
      let value: string;
      if (src.charCodeAt(i) === QUOTE) {
        value = '';
        let seg = i + 1;
        let j = seg;
        for (;;) {
          const q = src.indexOf('"', j);
          if (q < 0 || (q + 1 >= n && !final)) {
            if (!final) return { rows, end: rowStart, line: rowLine };
            value += src.slice(seg);
            j = n;
            break;
          }
          if (src.charCodeAt(q + 1) === QUOTE) {
            value += src.slice(seg, q + 1);
            j = q + 2;
            seg = j;
            continue;
          }
          value += src.slice(seg, q);
          j = q + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k >= 0; k = value.indexOf('\n', k + 1)) line++;
        // Text after the closing quote belongs to the cell (as parseCsv reads it).
        let k = j;
        while (k < n && src.charCodeAt(k) !== COMMA && src.charCodeAt(k) !== LF && src.charCodeAt(k) !== CR)
          k++;
        if (k >= n && !final) return { rows, end: rowStart, line: rowLine };
        value += src.slice(j, k);
        i = k;
      } else {
        let k = i;
        while (k < n && src.charCodeAt(k) !== COMMA && src.charCodeAt(k) !== LF && src.charCodeAt(k) !== CR)
          k++;
        if (k >= n && !final) return { rows, end: rowStart, line: rowLine };
        value = src.slice(i, k);
        i = k;
      }
      cells.push(value);
      if (i >= n) break;
      const c = src.charCodeAt(i);
      if (c === COMMA) {
        i++;
        if (i >= n) {
          if (!final) return { rows, end: rowStart, line: rowLine };
          cells.push('');
          break;
        }
        continue;
      }
      if (c === CR) {
        if (i + 1 >= n && !final) return { rows, end: rowStart, line: rowLine };
        i += src.charCodeAt(i + 1) === LF ? 2 : 1;
      } else i++;
      line++;
      break;
    }
    if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
  }
  return { rows, end: n, line };
}

/** Options of `streamCsv`. */
export interface StreamCsvOptions {
  /** Bytes read at a time (tests use tiny chunks to cross every boundary). */
  readonly chunkSize?: number;
}

/**
 * The rows of a CSV file, read as a stream (gunzipped when the name ends in `.gz`), so a file of
 * gigabytes (MIMIC-III's NOTEEVENTS.csv) is never held whole. Stop early with `break`.
 */
export async function* streamCsv(path: string, options: StreamCsvOptions = {}): AsyncGenerator<Row> {
  const file = createReadStream(path, options.chunkSize ? { highWaterMark: options.chunkSize } : {});
  const source = /\.gz$/i.test(path) ? pipeline(file, createGunzip(), () => undefined) : file;
  source.setEncoding('utf8');
  let pending = '';
  let line = 1;
  let first = true;
  try {
    for await (const chunk of source as AsyncIterable<string>) {
      let text = pending + chunk;
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      const s = scan(text, false, line);
      pending = text.slice(s.end);
      line = s.line;
      yield* s.rows;
    }
    if (pending !== '') yield* scan(pending, true, line).rows;
  } finally {
    source.destroy();
    file.destroy();
  }
}
