import type { ReferenceRow } from '#shared/domain/reference-row';
import { reproductionVerdict } from '#shared/reproduce';
import type { Line } from '../charts/align';
import { formatParams } from '../format';
import type { Cell, ResultTable } from './table';

/** The source of a reference row as exports print it: citation, URL, "as quoted". */
export function referenceSource(r: ReferenceRow): string {
  return `${r.asQuoted ? 'as quoted: ' : ''}${r.citation}${r.url ? ` <${r.url}>` : ''}`;
}

/**
 * The Compare table as exported: the runs, then the reference rows shown on screen (published
 * figures and the user's own), each labelled with its source and its example count, its value in
 * the column of its metric (with the Wilson 95% CI of the published count where it is a share of
 * n). A Source column tells the two apart; the best-per-column marks stay the runs'.
 */
export function withReferences(t: ResultTable, refs: readonly ReferenceRow[]): ResultTable {
  const col = (name: string) => t.columns.indexOf(name);
  const shown = refs.filter((r) => col(r.metric) >= 0);
  if (shown.length === 0) return t;
  const width = t.columns.length;
  const rows: Cell[][] = shown.map((r) => {
    const cells: Cell[] = t.columns.map(() => null);
    const set = (name: string, v: Cell) => {
      if (col(name) >= 0) cells[col(name)] = v;
    };
    set('Run', `reference: ${r.model}`);
    set('Scale', r.params ? formatParams(r.params) : '');
    set('Dataset', `${r.dataset} (${r.split})`);
    set('Examples', r.n ? r.n.toLocaleString('en-US') : 'not stated');
    set('Pipeline', `published, ${r.mode === 'zeroshot' ? 'zero-shot' : 'fine-tuned'}`);
    cells[col(r.metric)] = r.value;
    return [...cells, referenceSource(r)];
  });
  const intervals = shown.map((r) => {
    const p = reproductionVerdict(r, undefined).published;
    const ci = t.columns.map((c): [number, number] | null =>
      c === r.metric && p.low !== null && p.high !== null ? [p.low, p.high] : null,
    );
    return [...ci, null];
  });
  return {
    ...t,
    caption: `${t.caption}; reference rows: published figures with their sources, not measured here (Wilson 95% CI of the published count)`,
    columns: [...t.columns, 'Source'],
    rows: [...t.rows.map((row) => [...row, 'this workbench']), ...rows],
    intervals: [
      ...t.rows.map((_, i) => [...(t.intervals?.[i] ?? Array(width).fill(null)), null]),
      ...intervals,
    ],
  };
}

/** Notes under an exported figure: each reference line's source and example count. */
export function figureNotes(lines: readonly Line[]): string[] {
  return lines
    .filter((l) => l.reference && l.source)
    .map((l) => `${l.label}: ${l.source}${l.n ? ` (n = ${l.n})` : ''}`);
}
