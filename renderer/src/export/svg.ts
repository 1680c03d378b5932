import type { Line } from '../charts/align';
import { figureNotes } from './references';

/** Options of a standalone SVG line figure. */
export interface SvgOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** Colours of lines, in order; readable on white paper. */
export const PALETTE = [
  '#0b6bcb',
  '#d1495b',
  '#2a9d8f',
  '#e9a03b',
  '#6a4c93',
  '#3d5a80',
  '#8ab17d',
  '#b56576',
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function ticks(lo: number, hi: number, n: number): number[] {
  if (hi <= lo) return [lo];
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

function tickLabel(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** Text split into lines of at most `width` characters, at spaces. */
export function wrapText(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/**
 * A figure for papers: axes, ticks, one polyline and marker per point, a legend (reference lines
 * dashed), and under it each reference line's source and example count. Vector, no scripts.
 */
export function linesToSvg(lines: readonly Line[], o: SvgOptions): string {
  const W = o.width ?? 640;
  const notes = figureNotes(lines).flatMap((n) => wrapText(n, Math.floor((W - 24) / 5.6)));
  const plotH = o.height ?? 400;
  const H = plotH + (notes.length ? 12 + notes.length * 14 : 0);
  const m = { l: 64, r: 150, t: 36, b: 48 };
  const fx = (v: number) => (o.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const pts = lines.flatMap((l) => l.x.map((x, i) => [fx(x), l.y[i]] as const)).filter(([, y]) => y !== null);
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y as number);
  const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  const [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  const padY = (y1 - y0 || 1) * 0.05;
  const sx = (v: number) => m.l + ((fx(v) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const sy = (v: number) =>
    plotH - m.b - ((v - (y0 - padY)) / (y1 - y0 + 2 * padY || 1)) * (plotH - m.t - m.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${esc(o.title)}</text>`,
    `<line x1="${m.l}" y1="${plotH - m.b}" x2="${W - m.r}" y2="${plotH - m.b}" stroke="#333"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${plotH - m.b}" stroke="#333"/>`,
  ];
  for (const t of ticks(x0, x1, 4)) {
    const v = o.logX ? 10 ** t : t;
    const px = sx(v);
    out.push(`<line x1="${px}" y1="${plotH - m.b}" x2="${px}" y2="${plotH - m.b + 4}" stroke="#333"/>`);
    out.push(`<text x="${px}" y="${plotH - m.b + 16}" text-anchor="middle">${esc(tickLabel(v))}</text>`);
  }
  for (const t of ticks(y0 - padY, y1 + padY, 4)) {
    const py = sy(t);
    out.push(`<line x1="${m.l - 4}" y1="${py}" x2="${m.l}" y2="${py}" stroke="#333"/>`);
    out.push(`<text x="${m.l - 6}" y="${py + 4}" text-anchor="end">${esc(tickLabel(t))}</text>`);
  }
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${plotH - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(
    `<text transform="translate(16 ${(m.t + plotH - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  lines.forEach((l, i) => {
    const color = PALETTE[i % PALETTE.length];
    const p = l.x.flatMap((x, j) =>
      l.y[j] === null ? [] : [`${sx(x).toFixed(1)},${sy(l.y[j]!).toFixed(1)}`],
    );
    const dash = l.reference ? ' stroke-dasharray="6 4"' : '';
    if (p.length > 1)
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5"${dash} points="${p.join(' ')}"/>`);
    if (p.length <= 50)
      for (const q of p) {
        const [cx, cy] = q.split(',');
        out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${color}"/>`);
      }
    const ly = m.t + 14 + i * 16;
    out.push(
      `<line x1="${W - m.r + 12}" y1="${ly - 4}" x2="${W - m.r + 30}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    out.push(`<text x="${W - m.r + 34}" y="${ly}">${esc(l.label)}</text>`);
  });
  notes.forEach((n, i) => {
    out.push(`<text x="12" y="${plotH + 12 + i * 14}" font-size="10" fill="#444">${esc(n)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
