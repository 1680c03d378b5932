import type { Line } from '../charts/align';
import { download, figurePng } from '../export/download';
import { htmlReport } from '../export/html-report';
import { linesToSvg } from '../export/svg';
import { type ResultTable, toCsv, toLatex, toMarkdown } from '../export/table';
import type { DiffRow } from './config-diff';

interface Figure {
  readonly title: string;
  readonly file: string;
  readonly lines: readonly Line[];
  readonly xLabel: string;
  readonly yLabel: string;
  readonly logX: boolean;
}

/** Exports for papers: tables as CSV, Markdown and LaTeX; figures as PNG and SVG; an HTML report. */
export function ExportBar(p: {
  table: ResultTable;
  figures: readonly Figure[];
  diff: readonly DiffRow[];
  runNames: readonly string[];
}) {
  const svg = (f: Figure) =>
    linesToSvg(f.lines, { title: f.title, xLabel: f.xLabel, yLabel: f.yLabel, logX: f.logX });
  const png = async (f: Figure) => {
    const fig = [...document.querySelectorAll('figure.chart')].find((el) =>
      el.querySelector('figcaption')?.textContent?.startsWith(f.title),
    );
    const blob = fig ? await figurePng(fig) : null;
    if (blob) download(`${f.file}.png`, blob);
  };
  return (
    <fieldset className="row plain" aria-label="Export">
      <button type="button" onClick={() => download('comparison.csv', toCsv(p.table), 'text/csv')}>
        Export CSV
      </button>
      <button type="button" onClick={() => download('comparison.md', toMarkdown(p.table), 'text/markdown')}>
        Export Markdown
      </button>
      <button type="button" onClick={() => download('comparison.tex', toLatex(p.table), 'application/x-tex')}>
        Export LaTeX
      </button>
      {p.figures.map((f) => (
        <span key={f.file} className="row" style={{ margin: 0, gap: 4 }}>
          <button type="button" onClick={() => png(f)} disabled={f.lines.length === 0}>
            {f.title} PNG
          </button>
          <button
            type="button"
            onClick={() => download(`${f.file}.svg`, svg(f), 'image/svg+xml')}
            disabled={f.lines.length === 0}
          >
            {f.title} SVG
          </button>
        </span>
      ))}
      <button
        type="button"
        onClick={() =>
          download(
            'comparison-report.html',
            htmlReport({
              title: p.table.caption,
              table: p.table,
              figures: p.figures
                .filter((f) => f.lines.length > 0)
                .map((f) => ({ title: f.title, svg: svg(f) })),
              diff: p.diff,
              runNames: p.runNames,
              generatedAt: new Date().toISOString().slice(0, 16).replace('T', ' '),
            }),
            'text/html',
          )
        }
      >
        Export HTML report
      </button>
    </fieldset>
  );
}
