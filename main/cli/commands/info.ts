import type { Command } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';

/** `biomed info`: version, data folder and compute backends. */
export const infoCommand: Command = {
  name: 'info',
  summary: 'Show the version, data folder and compute backends',
  usage: 'biomed info [--json]',
  async run(argv, io) {
    const ctx = openCliWorkbench(io);
    try {
      const info = await ctx.invoke('app.info', {});
      if (argv.includes('--json')) {
        io.out(`${JSON.stringify(info, null, 2)}\n`);
        return 0;
      }
      io.out(`${info.name} ${info.version}\n`);
      io.out(`data folder   ${info.dataFolder}\n`);
      io.out(`database      ${info.databaseFile} (schema ${info.schemaVersion})\n`);
      io.out(`node          ${info.node} (${info.platform})\n`);
      io.out('backends\n');
      for (const b of info.backends)
        io.out(`  ${b.chosen ? '*' : b.available ? '+' : '-'} ${b.name.padEnd(11)} ${b.detail}\n`);
      return 0;
    } finally {
      ctx.close();
    }
  },
};
