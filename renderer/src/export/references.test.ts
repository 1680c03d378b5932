import { describe, expect, it } from 'vitest';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import { wilsonInterval } from '#shared/reproduce';
import { referenceLines } from '../reference/reference-lines';
import { htmlReport } from './html-report';
import { withReferences } from './references';
import { linesToSvg } from './svg';
import { bestPerColumn, type ResultTable, toCsv, toLatex, toMarkdown } from './table';

const rows = [['vqa-rad cpu-s', 'cpu-s', 'VQA-RAD', '40', 'trie, max 16 · released', 0.5, 0.6]];
const runs: ResultTable = {
  caption: 'Comparison of 1 runs (test split, 95% bootstrap CI)',
  columns: ['Run', 'Scale', 'Dataset', 'Examples', 'Pipeline', 'accuracy', 'accuracy_closed'],
  rows,
  intervals: [[null, null, null, null, null, [0.35, 0.65], null]],
  best: bestPerColumn(rows),
};
const vqaRad = PUBLISHED_REFERENCE_ROWS.filter((r) => r.dataset === 'VQA-RAD' && r.metric === 'accuracy');
const small = vqaRad.find((r) => r.id === 'published:zeroshot-vqa-rad:instruct-biomedgpt-s:accuracy')!;
const quoted = vqaRad.find((r) => r.asQuoted)!;
const table = withReferences(runs, [small, quoted]);
const ci = wilsonInterval(190, 451);

describe('exports carry the reference rows shown', () => {
  it('adds each row under the runs with its source, example count and the CI of its count', () => {
    expect(table.columns.at(-1)).toBe('Source');
    expect(table.rows).toHaveLength(3);
    expect(table.rows[0]?.at(-1)).toBe('this workbench');
    const ref = table.rows[1]!;
    expect(ref.slice(0, 5)).toEqual([
      'reference: Instruct-BiomedGPT-S',
      '33.0M',
      'VQA-RAD (test)',
      '451',
      'published, zero-shot',
    ]);
    expect(ref[5]).toBeCloseTo(0.421, 12);
    expect(ref.at(-1)).toContain('instruct_biomedgpt.jpg (commit fcc7e8f');
    expect(ref.at(-1)).toContain('<https://github.com/taokz/BiomedGPT>');
    expect(table.intervals?.[1]?.[5]?.[0]).toBeCloseTo(ci.low, 12);
    expect(table.rows[2]?.at(-1)).toMatch(/^as quoted: /);
    // the best value per column stays the runs' (a reference row is never "best")
    expect([...(table.best ?? [])].every((k) => k.startsWith('0:'))).toBe(true);
    expect(withReferences(runs, [])).toBe(runs);
    // a row of a metric the table has no column for is not exported
    expect(withReferences(runs, [{ ...small, metric: 'cider' }])).toBe(runs);
  });
  it('writes them to CSV, Markdown, LaTeX and the HTML report', () => {
    const csv = toCsv(table);
    expect(csv.split('\n')[0]).toBe(
      'Run,Scale,Dataset,Examples,Pipeline,accuracy,accuracy low,accuracy high,accuracy_closed,Source',
    );
    expect(csv).toContain(
      `reference: Instruct-BiomedGPT-S,33.0M,VQA-RAD (test),451,"published, zero-shot",0.421,${ci.low.toFixed(3)},${ci.high.toFixed(3)},,"taokz/BiomedGPT`,
    );
    const md = toMarkdown(table);
    expect(md).toContain('| reference: Instruct-BiomedGPT-S | 33.0M | VQA-RAD (test) | 451 |');
    expect(md).toContain('instruct_biomedgpt.jpg');
    expect(md).toContain('reference rows: published figures with their sources');
    const tex = toLatex(table);
    expect(tex).toContain(
      `reference: Instruct-BiomedGPT-S & 33.0M & VQA-RAD (test) & 451 & published, zero-shot & 0.421 {\\scriptsize [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]} & -- & taokz/BiomedGPT, examples/instruct\\_biomedgpt.jpg`,
    );
    const html = htmlReport({
      title: 'c',
      table,
      figures: [],
      diff: [],
      runNames: [],
      generatedAt: 'now',
    });
    expect(html).toContain('<td>reference: Instruct-BiomedGPT-S</td>');
    expect(html).toContain('<td>451</td>');
    expect(html).toContain('instruct_biomedgpt.jpg (commit fcc7e8f');
  });
  it('draws reference lines dashed in the scaling SVG, with each source and example count under it', () => {
    const lines = [
      { label: 'VQA-RAD', x: [4e5, 2.5e6], y: [0.41, 0.46] },
      ...referenceLines(PUBLISHED_REFERENCE_ROWS, 'accuracy', ['VQA-RAD']),
    ];
    const svg = linesToSvg(lines, { title: 'Scaling', xLabel: 'parameters', yLabel: 'accuracy', logX: true });
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('reference: Instruct-BiomedGPT, VQA-RAD zero-shot: taokz/BiomedGPT');
    expect(svg).toContain('(n = 451)');
    expect(svg).toMatch(/height="(\d+)"/);
    expect(Number(/height="(\d+)"/.exec(svg)?.[1])).toBeGreaterThan(400);
    // runs alone: no notes, the plain size
    expect(linesToSvg(lines.slice(0, 1), { title: 's', xLabel: 'x', yLabel: 'y' })).toContain('height="400"');
  });
});
