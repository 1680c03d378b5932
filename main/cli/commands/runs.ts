import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { formatTable } from '#main/cli/table';
import { RUN_SUBCOMMANDS } from './run-subcommands';

/** `biomed runs ...`: the run history from the terminal. */
export const runsCommand: Command = {
  name: 'runs',
  summary: 'List runs (more subcommands: see `biomed runs --help`)',
  usage:
    'biomed runs list [--json] [--status S] [--task T] [--limit N]\n       biomed runs show|cancel|pause|resume ID\n       biomed runs export ID [--step N] --out DIR [--json]',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    const extra = Object.hasOwn(RUN_SUBCOMMANDS, sub ?? '') ? RUN_SUBCOMMANDS[sub!] : undefined;
    if (extra) return extra(rest, io);
    if (sub !== 'list') throw new UsageError(`Unknown subcommand "${sub ?? ''}"`);
    const { values } = parseArgs({
      args: [...rest],
      options: {
        json: { type: 'boolean' },
        status: { type: 'string', multiple: true },
        task: { type: 'string', multiple: true },
        limit: { type: 'string' },
      },
    });
    const ctx = openCliWorkbench(io);
    try {
      const page = await ctx.invokeFromUser('runs.list', {
        status: values.status,
        task: values.task,
        limit: values.limit ? Number(values.limit) : 1000,
      });
      if (values.json) {
        io.out(`${JSON.stringify(page.runs, null, 2)}\n`);
        return 0;
      }
      if (page.runs.length === 0) {
        io.out('No runs yet. Start one with `biomed train` or `biomed demo`, or from the app.\n');
        return 0;
      }
      io.out(
        `${formatTable(
          ['id', 'name', 'status', 'scale', 'task', 'dataset', 'best', 'created'],
          page.runs.map((r) => [
            r.id.slice(0, 8),
            r.name,
            r.status,
            r.scale,
            r.task,
            r.datasetName ?? '',
            r.bestMetric === null ? '' : `${r.bestMetricName}=${r.bestMetric.toFixed(4)}`,
            r.createdAt.slice(0, 16).replace('T', ' '),
          ]),
        )}\n`,
      );
      if (page.total > page.runs.length) io.out(`(${page.runs.length} of ${page.total})\n`);
      return 0;
    } finally {
      ctx.close();
    }
  },
};
