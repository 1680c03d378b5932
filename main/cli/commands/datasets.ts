import { parseArgs } from 'node:util';
import type { CliIO, Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { formatTable } from '#main/cli/table';
import { formatProblem, formatSkipped } from '#main/data/problems';
import { importDataset } from '#main/services/dataset-import';
import { deleteDataset } from '#main/services/datasets';
import { ensureDemoDatasets } from '#main/services/demo-datasets';
import { ImportRequest } from '#shared/api/datasets';
import { WorkbenchError } from '#shared/api/errors';
import { DatasetFormat, DEFAULT_MAX_SIDE, type ImportReport } from '#shared/domain/dataset';

const USAGE = [
  'biomed datasets import PATH [--format F] [--dry-run] [--strict] [--json] [--name N] [--seed S] [--limit N] [--frame K]',
  '         [--views frontal|all] (MIMIC-CXR) [--crops] (CBIS-DDSM lesion crops)',
  `         [--max-side N|original] (long side images are stored at; default ${DEFAULT_MAX_SIDE})`,
  '         (Ctrl-C stops it keeping the images stored so far; the same command again goes on from there)',
  '         (bad records are skipped and listed by id; --strict refuses the whole import instead)',
  '       biomed datasets list [--json]',
  '       biomed datasets delete ID [--force]   (--force: also when runs or evaluations use it)',
  '       biomed datasets demo [--json]   (add the synthetic demo datasets that are missing)',
  `Formats: ${DatasetFormat.options.filter((f) => f !== 'demo').join(', ')}`,
].join('\n');

/** The `--json` output of an import: dataset id, format, counts per split and per task. */
function importJson(r: ImportReport) {
  return {
    datasetId: r.datasetId,
    duplicateOf: r.duplicateOf,
    dryRun: r.dryRun,
    name: r.name,
    format: r.format,
    task: r.task,
    examples: r.examples,
    splits: r.splits,
    tasks: r.tasks,
    officialSplits: r.officialSplits,
    images: r.images,
    problems: r.problems,
    skippedCount: r.skippedCount,
    skipped: r.skipped,
    elapsedMs: Math.round(r.elapsedMs),
  };
}

async function importCmd(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      'dry-run': { type: 'boolean' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      name: { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      frame: { type: 'string' },
      views: { type: 'string' },
      crops: { type: 'boolean' },
      'max-side': { type: 'string' },
    },
  });
  const path = positionals[0];
  if (!path || positionals.length > 1) throw new UsageError('Give exactly one PATH to import');
  if (values.format && !DatasetFormat.safeParse(values.format).success) {
    throw new UsageError(`Unknown format "${values.format}"`);
  }
  const parsed = ImportRequest.safeParse({
    path,
    format: values.format,
    dryRun: values['dry-run'] ?? false,
    name: values.name,
    options: {
      ...(values.seed ? { seed: Number(values.seed) } : {}),
      ...(values.limit ? { limit: Number(values.limit) } : {}),
      ...(values.frame ? { dicomFrame: Number(values.frame) } : {}),
      ...(values.strict ? { strict: true } : {}),
      ...(values.views ? { views: values.views } : {}),
      ...(values.crops ? { lesionCrops: true } : {}),
      ...(values['max-side']
        ? { maxSide: values['max-side'] === 'original' ? 'original' : Number(values['max-side']) }
        : {}),
    },
  });
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const ctx = openCliWorkbench(io);
  try {
    let last = '';
    // Ctrl-C: the images stored so far are committed, so the same command again goes on from there.
    const interrupt = new AbortController();
    const onSigint = () => interrupt.abort();
    process.once('SIGINT', onSigint);
    const report = await importDataset(
      ctx,
      parsed.data,
      (e) => {
        if (values.json || e.phase === 'done') return;
        const line = `${e.phase}: ${e.message}`;
        if (line !== last) io.err(`${line}\n`);
        last = line;
      },
      interrupt.signal,
    ).finally(() => process.removeListener('SIGINT', onSigint));
    const errors = report.problems.filter((p) => p.severity === 'error').length;
    if (values.json) io.out(`${JSON.stringify(importJson(report), null, 2)}\n`);
    else {
      for (const p of report.problems) io.err(`${p.severity}: ${formatProblem(p)}\n`);
      for (const sk of report.skipped) io.err(`skipped: ${formatSkipped(sk)}\n`);
      if (report.skippedCount > report.skipped.length)
        io.err(`skipped: ... and ${report.skippedCount - report.skipped.length} more\n`);
      const s = report.splits;
      const verb = report.dryRun ? 'Would import' : report.duplicateOf ? 'Already imported' : 'Imported';
      io.out(
        `${verb} ${report.name} (${report.format}) as ${report.datasetId ?? '(dry run)'}: ${report.examples} examples ` +
          `(train ${s.train}, validation ${s.validation}, test ${s.test}), ${report.images.total} images ` +
          `(${report.images.new} new) in ${(report.elapsedMs / 1000).toFixed(1)} s` +
          (report.skippedCount > 0
            ? `; ${report.skippedCount} record${report.skippedCount === 1 ? '' : 's'} skipped (listed above)`
            : '') +
          '\n',
      );
    }
    return errors > 0 ? 1 : 0;
  } catch (err) {
    if (values.json && err instanceof WorkbenchError) {
      io.out(`${JSON.stringify({ error: err.toPayload() }, null, 2)}\n`);
      return 1;
    }
    throw err;
  } finally {
    ctx.close();
  }
}

/** `biomed datasets ...`: import, list and delete datasets from the terminal. */
export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'Import, list and delete datasets (`biomed datasets --help`)',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'import') return importCmd(rest, io);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, force: { type: 'boolean' } },
    });
    const ctx = openCliWorkbench(io);
    try {
      if (sub === 'list') {
        const list = ctx.store.datasets.list();
        if (values.json) io.out(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0)
          io.out('No datasets yet. Import one with `biomed datasets import PATH`.\n');
        else {
          const rows = list.map((d) => [
            d.id,
            d.name + (d.synthetic ? ' [synthetic]' : ''),
            d.format,
            d.task,
            String(d.splits['train'] ?? 0),
            String(d.splits['validation'] ?? 0),
            String(d.splits['test'] ?? 0),
          ]);
          io.out(`${formatTable(['id', 'name', 'format', 'task', 'train', 'val', 'test'], rows)}\n`);
        }
        return 0;
      }
      if (sub === 'delete') {
        const id = positionals[0];
        if (!id) throw new UsageError('Give the dataset id to delete');
        const r = deleteDataset(ctx, id, values.force ?? false);
        io.out(`Deleted ${r.id}: ${r.examples} examples, ${r.blobsRemoved} images no longer used\n`);
        return 0;
      }
      if (sub === 'demo') {
        const ids = await ensureDemoDatasets(ctx, { onlyIfEmpty: false });
        io.out(values.json ? `${JSON.stringify(ids, null, 2)}\n` : `Demo datasets: ${ids.join(', ')}\n`);
        return 0;
      }
      throw new UsageError(`Unknown subcommand "${sub ?? ''}"`);
    } finally {
      ctx.close();
    }
  },
};
