/** A cell: a number (formatted with `digits`), text, or missing. */
export type Cell = number | string | null;

/** A results table as the Compare page exports it. */
export interface ResultTable {
  readonly caption: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** Per row and column, a 95% interval to print beside the value. */
  readonly intervals?: readonly (readonly ([number, number] | null)[])[];
  /** Cells to emphasise (best per column), as `row:col` keys. */
  readonly best?: ReadonlySet<string>;
  readonly digits?: number;
}

function text(t: ResultTable, r: number, c: number): string {
  const v = t.rows[r]?.[c];
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  const d = t.digits ?? 3;
  const ci = t.intervals?.[r]?.[c];
  return ci ? `${v.toFixed(d)} [${ci[0].toFixed(d)}, ${ci[1].toFixed(d)}]` : v.toFixed(d);
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV; intervals as separate `low`/`high` columns so spreadsheets can use them. */
export function toCsv(t: ResultTable): string {
  const d = t.digits ?? 3;
  const header: string[] = [];
  t.columns.forEach((col, c) => {
    header.push(col);
    if (t.intervals?.some((row) => row[c])) header.push(`${col} low`, `${col} high`);
  });
  const lines = [header.map(csvField).join(',')];
  t.rows.forEach((row, r) => {
    const out: string[] = [];
    row.forEach((v, c) => {
      out.push(v === null ? '' : typeof v === 'number' ? v.toFixed(d) : v);
      if (t.intervals?.some((x) => x[c])) {
        const ci = t.intervals[r]?.[c];
        out.push(ci ? ci[0].toFixed(d) : '', ci ? ci[1].toFixed(d) : '');
      }
    });
    lines.push(out.map(csvField).join(','));
  });
  return `${lines.join('\n')}\n`;
}

/** GitHub-flavoured Markdown; the best value per column in bold. */
export function toMarkdown(t: ResultTable): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const head = `| ${t.columns.map(esc).join(' | ')} |`;
  const rule = `| ${t.columns.map((_, c) => (c === 0 ? '---' : '---:')).join(' | ')} |`;
  const body = t.rows.map(
    (row, r) =>
      `| ${row
        .map((_, c) => {
          const s = esc(text(t, r, c));
          return t.best?.has(`${r}:${c}`) && s ? `**${s}**` : s;
        })
        .join(' | ')} |`,
  );
  return `${[`**${esc(t.caption)}**`, '', head, rule, ...body].join('\n')}\n`;
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Escapes LaTeX's special characters in plain text. */
export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^]/g, (ch) => LATEX_SPECIALS[ch] ?? ch);
}

/** A booktabs table (`\usepackage{booktabs}`); best per column in bold, intervals as `\scriptsize`. */
export function toLatex(t: ResultTable): string {
  const d = t.digits ?? 3;
  const cell = (r: number, c: number): string => {
    const v = t.rows[r]?.[c];
    if (v === null || v === undefined) return '--';
    if (typeof v === 'string') return latexEscape(v);
    let s = v.toFixed(d);
    if (t.best?.has(`${r}:${c}`)) s = `\\textbf{${s}}`;
    const ci = t.intervals?.[r]?.[c];
    return ci ? `${s} {\\scriptsize [${ci[0].toFixed(d)}, ${ci[1].toFixed(d)}]}` : s;
  };
  const lines = [
    '\\begin{table}[t]',
    '\\centering',
    `\\caption{${latexEscape(t.caption)}}`,
    `\\begin{tabular}{l${'r'.repeat(Math.max(0, t.columns.length - 1))}}`,
    '\\toprule',
    `${t.columns.map(latexEscape).join(' & ')} \\\\`,
    '\\midrule',
    ...t.rows.map((row, r) => `${row.map((_, c) => cell(r, c)).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
  ];
  return `${lines.join('\n')}\n`;
}

/** `row:col` keys of the best (highest, or lowest where `lowerIsBetter`) numeric cell of each column. */
export function bestPerColumn(
  rows: readonly (readonly Cell[])[],
  lowerIsBetter: (col: number) => boolean = () => false,
): Set<string> {
  const best = new Set<string>();
  const width = Math.max(0, ...rows.map((r) => r.length));
  for (let c = 0; c < width; c++) {
    let bestValue: number | null = null;
    rows.forEach((row) => {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) return;
      if (bestValue === null || (lowerIsBetter(c) ? v < bestValue : v > bestValue)) bestValue = v;
    });
    if (bestValue === null) continue;
    rows.forEach((row, r) => {
      if (row[c] === bestValue) best.add(`${r}:${c}`);
    });
  }
  return best;
}
