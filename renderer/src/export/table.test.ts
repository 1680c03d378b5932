import { describe, expect, it } from 'vitest';
import { bestPerColumn, latexEscape, type ResultTable, toCsv, toLatex, toMarkdown } from './table';

const rows = [
  ['vqa_rad cpu-xs', 0.5, 0.25],
  ['vqa_rad cpu-s', 0.625, null],
] as const;
const table: ResultTable = {
  caption: 'VQA-RAD accuracy (test split) & 95% CI',
  columns: ['Run', 'accuracy', 'accuracy_open'],
  rows: rows.map((r) => [...r]),
  intervals: [
    [null, [0.4, 0.6], null],
    [null, [0.55, 0.7], null],
  ],
  best: bestPerColumn(rows.map((r) => [...r])),
};

describe('table exports', () => {
  it('finds the best cell of each numeric column, lower-is-better where asked', () => {
    expect([...bestPerColumn(table.rows)].sort()).toEqual(['0:2', '1:1']);
    expect([...bestPerColumn(table.rows, () => true)].sort()).toEqual(['0:1', '0:2']);
  });
  it('writes LaTeX with escaped text, bold best and intervals', () => {
    const tex = toLatex(table);
    expect(tex).toContain('\\caption{VQA-RAD accuracy (test split) \\& 95\\% CI}');
    expect(tex).toContain('\\begin{tabular}{lrr}');
    expect(tex).toContain('Run & accuracy & accuracy\\_open \\\\');
    expect(tex).toContain('vqa\\_rad cpu-s & \\textbf{0.625} {\\scriptsize [0.550, 0.700]} & -- \\\\');
    expect(tex).toContain('\\bottomrule');
    expect(latexEscape('a_b%c\\d')).toBe('a\\_b\\%c\\textbackslash{}d');
  });
  it('writes Markdown with bold best values and escaped pipes', () => {
    const md = toMarkdown({ ...table, rows: [['a|b', 1, 2]], intervals: undefined, best: new Set(['0:1']) });
    expect(md).toContain('| a\\|b | **1.000** | 2.000 |');
    expect(md).toContain('| --- | ---: | ---: |');
  });
  it('writes CSV with interval columns and quoted fields', () => {
    const csv = toCsv({ ...table, rows: [['x, "y"', 0.5, 0.25]], intervals: [[null, [0.4, 0.6], null]] });
    const [head, line] = csv.trim().split('\n');
    expect(head).toBe('Run,accuracy,accuracy low,accuracy high,accuracy_open');
    expect(line).toBe('"x, ""y""",0.500,0.400,0.600,0.250');
  });
});
