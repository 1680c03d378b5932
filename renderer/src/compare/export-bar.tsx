import type { ReferenceRow } from '#shared/domain/reference-row';
import type { Line } from '../charts/align';
import { download, figurePng } from '../export/download';
import { htmlReport } from '../export/html-report';
import { withReferences } from '../export/references';
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

/**
 * Exports for papers: tables as CSV, Markdown and LaTeX; figures as PNG and SVG; an HTML report.
 * Each carries the reference rows shown on screen with their sources and example counts.
 */
export function ExportBar(p: {
  table: ResultTable;
  /** The reference rows shown on the page (exported beside the runs, labelled with their source). */
  references: readonly ReferenceRow[];
  figures: readonly Figure[];
  diff: readonly DiffRow[];
  runNames: readonly string[];
}) {
  const table = withReferences(p.table, p.references);
  const svg = (f: Figure) =>
    linesToSvg(f.lines, { title: f.title, xLabel: f.xLabel, yLabel: f.yLabel, logX: f.logX });
  const png = async (f: Figure) => {
    const fig = [...document.querySelectorAll('figure.chart')].find((el) =>
      el.querySelector('figcaption')?.textContent?.startsWith(f.title),
    );
    const blob = fig ? await figurePng(fig, f.lines) : null;
    if (blob) download(`${f.file}.png`, blob);
  };
  return (
    <fieldset className="row plain" aria-label="Export">
      <button type="button" onClick={() => download('comparison.csv', toCsv(table), 'text/csv')}>
        Export CSV
      </button>
      <button type="button" onClick={() => download('comparison.md', toMarkdown(table), 'text/markdown')}>
        Export Markdown
      </button>
      <button type="button" onClick={() => download('comparison.tex', toLatex(table), 'application/x-tex')}>
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
              table,
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
