import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { ensureRenderer } from '#main/cli/renderer-build';
import { ensureDemoDatasets } from '#main/services/demo-datasets';
import { startBrowserServer } from '#main/transport/browser-server';

/** `biomed serve`: the workbench in a browser, over a loopback WebSocket with a per-launch token. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the workbench to a browser on 127.0.0.1 (browser mode)',
  usage: 'biomed serve [--port N]',
  async run(argv, io) {
    const { values } = parseArgs({ args: [...argv], options: { port: { type: 'string' } } });
    const dir = ensureRenderer(io);
    if (!dir) return 1;
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
