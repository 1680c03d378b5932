import type { Line } from '../charts/align';
import { figureNotes } from './references';
import { PALETTE, wrapText } from './svg';

/** Saves text or a data URL as a file through the browser's download (a save dialog in the desktop app). */
export function download(filename: string, content: string | Blob, mime = 'text/plain'): void {
  const blob = typeof content === 'string' ? new Blob([content], { type: `${mime};charset=utf-8` }) : content;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The chart canvas inside a figure as a PNG on the panel colour of the current theme, with the
 * legend of `lines` (the chart's, in its order; reference lines dashed) and each reference line's
 * source and example count under it.
 */
export async function figurePng(figure: Element, lines: readonly Line[] = []): Promise<Blob | null> {
  const src = figure.querySelector('canvas');
  if (!src) return null;
  const css = (name: string, fallback: string) =>
    getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  const scale = src.width / (src.clientWidth || src.width);
  const row = 16 * scale;
  const notes = figureNotes(lines).flatMap((n) => wrapText(n, Math.floor(src.width / (6.2 * scale))));
  const c = document.createElement('canvas');
  c.width = src.width;
  c.height = src.height + (lines.length + notes.length) * row + (lines.length ? 8 * scale : 0);
  const ctx = c.getContext('2d');
  if (!ctx) return null;
  ctx.fillStyle = css('--panel', '#ffffff');
  ctx.fillRect(0, 0, c.width, c.height);
  ctx.drawImage(src, 0, 0);
  ctx.font = `${11 * scale}px Helvetica, Arial, sans-serif`;
  ctx.textBaseline = 'middle';
  let y = src.height + 8 * scale + row / 2;
  lines.forEach((l, i) => {
    ctx.strokeStyle = PALETTE[i % PALETTE.length] ?? '#000';
    ctx.lineWidth = 2 * scale;
    ctx.setLineDash(l.reference ? [6 * scale, 4 * scale] : []);
    ctx.beginPath();
    ctx.moveTo(8 * scale, y);
    ctx.lineTo(30 * scale, y);
    ctx.stroke();
    ctx.fillStyle = css('--fg', '#1b1f24');
    ctx.fillText(l.label, 36 * scale, y);
    y += row;
  });
  ctx.fillStyle = css('--muted', '#5b6472');
  for (const n of notes) {
    ctx.fillText(n, 8 * scale, y);
    y += row;
  }
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}
