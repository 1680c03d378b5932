/** A row of a delimited file with its 1-based line number. */
export interface Row {
  readonly line: number;
  readonly cells: readonly string[];
}

/** Tab-separated lines (no quoting, as the BiomedGPT TSVs); blank lines skipped. */
export function parseTsv(text: string): Row[] {
  const rows: Row[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, idx) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    rows.push({ line: idx + 1, cells: line.split('\t') });
  });
  return rows;
}

/** RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): Row[] {
  const rows: Row[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const src = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.length > 1 || cells[0] !== '') rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  return rows;
}

/** Index of each expected column in a header row (case-insensitive); missing ones are listed. */
export function headerIndex(
  header: readonly string[],
  wanted: readonly string[],
): { index: Record<string, number>; missing: string[] } {
  const lower = header.map((h) => h.trim().toLowerCase());
  const index: Record<string, number> = {};
  const missing: string[] = [];
  for (const w of wanted) {
    const i = lower.indexOf(w.toLowerCase());
    if (i < 0) missing.push(w);
    else index[w] = i;
  }
  return { index, missing };
}
