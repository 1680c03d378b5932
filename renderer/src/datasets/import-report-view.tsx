import type { ImportReport } from '#shared/domain/dataset';
import { SPLITS } from '#shared/domain/dataset';
import { ProblemList } from './problem-list';
import { SkippedList } from './skipped-list';

/** What a dry run found (or an import did): counts per split and task, images, problems. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const official = new Set(report.officialSplits);
  return (
    <section className="report" aria-label={report.dryRun ? 'Dry run result' : 'Import result'}>
      <h3>{report.dryRun ? 'Dry run: nothing stored yet' : 'Imported'}</h3>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{report.name}</dd>
        <dt>Format</dt>
        <dd>{report.format}</dd>
        <dt>Task</dt>
        <dd>{report.task}</dd>
        <dt>Examples</dt>
        <dd>{report.examples.toLocaleString()}</dd>
        <dt>Images</dt>
        <dd>
          {report.images.total.toLocaleString()} ({report.images.new.toLocaleString()} new)
        </dd>
      </dl>
      <table aria-label="Examples per split">
        <thead>
          <tr>
            <th>Split</th>
            <th>Examples</th>
            <th>Origin</th>
          </tr>
        </thead>
        <tbody>
          {SPLITS.map((s) => (
            <tr key={s}>
              <td>{s}</td>
              <td>{report.splits[s].toLocaleString()}</td>
              <td>
                {official.has(s)
                  ? "the authors' split"
                  : report.images.total > 0
                    ? 'drawn (grouped by image)'
                    : 'drawn at random'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.duplicateOf && (
        <p className="warning" role="status">
          The same content is already in the library; importing again adds nothing.
        </p>
      )}
      <ProblemList problems={report.problems} />
      <SkippedList skipped={report.skipped} count={report.skippedCount} />
    </section>
  );
}
