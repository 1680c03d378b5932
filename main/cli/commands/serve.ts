import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { rendererDir } from '#main/cli/paths';
import { ensureDemoDatasets } from '#main/services/demo-datasets';
import { startBrowserServer } from '#main/transport/browser-server';

/** `biomed serve`: the workbench in a browser, over a loopback WebSocket with a per-launch token. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the workbench to a browser on 127.0.0.1 (browser mode)',
  usage: 'biomed serve [--port N]',
  async run(argv, io) {
    const { values } = parseArgs({ args: [...argv], options: { port: { type: 'string' } } });
    const dir = rendererDir();
    if (!existsSync(dir)) {
      io.err(`The renderer is not built (${dir} is missing). Run \`npm run build\` first.\n`);
      return 1;
    }
    const ctx = openCliWorkbench(io, 'browser', { runJobs: true });
    // A fresh data folder gets the demo datasets before the app opens.
    const demo = await ensureDemoDatasets(ctx);
    if (demo.length > 0) io.err(`Added ${demo.length} synthetic demo datasets to the empty library.\n`);
    const server = await startBrowserServer({
      ctx,
      rendererDir: dir,
      port: values.port ? Number(values.port) : 0,
      log: (line) => io.err(`${line}\n`),
    });
    io.out(`Biomed Workbench (browser mode) on port ${server.port}\n`);
    io.out(`data folder: ${ctx.home.root}\n`);
    io.out(`token: ${server.token}\n`);
    io.out(`open: ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    ctx.close();
    return 0;
  },
};
