import { join } from 'node:path';
import { openStore } from '#db/store';
import { ClusterRuns } from '#main/jobs/cluster/cluster-runs';
import { forkLauncher } from '#main/jobs/fork-launcher';
import { Scheduler } from '#main/jobs/scheduler';
import type { WorkerLauncher } from '#main/jobs/worker-process';
import type { ServiceContext } from './context';
import { type DataHome, prepareDataHome } from './data-home';
import { type LocalClient, localClient } from './dispatch';
import { EventBus } from './event-bus';
import { schedulerEvents } from './job-events';
import { readSettings } from './settings';
import { APP_VERSION } from './version';

/** An open data folder: the services' context, the typed local client, and `close`. */
export interface Workbench extends ServiceContext, LocalClient {
  close(): void;
}

/** How a data folder is opened. */
export interface OpenOptions {
  /**
   * Run queued jobs in this process (the app, `biomed serve`, `biomed train`). Read-only CLI
   * commands pass false: they may queue work but never start workers.
   */
  readonly runJobs?: boolean;
  /** How engine workers are started (default: `child_process.fork`; Electron: utilityProcess). */
  readonly launcher?: WorkerLauncher;
}

/**
 * Opens a data folder: prepares it, opens the store, wires the event bus, and starts the
 * scheduler, which marks runs a crash left `running` as `interrupted` and starts queued jobs.
 */
export function openWorkbench(
  root: string,
  transport: ServiceContext['transport'],
  options: OpenOptions = {},
): Workbench {
  const home: DataHome = prepareDataHome(root);
  const store = openStore(home.databaseFile);
  let ctx: ServiceContext | undefined;
  const scheduler = new Scheduler({
    store,
    paths: { databaseFile: home.databaseFile, blobs: home.blobs, runs: home.runs },
    launcher: options.launcher ?? forkLauncher,
    events: schedulerEvents(() => ctx!),
    runJobs: options.runJobs ?? true,
    lockFile: join(home.root, 'scheduler.lock'),
    concurrency: () => readSettings(home).workerConcurrency,
  });
  const clusters = new ClusterRuns({
    store,
    blobsDir: home.blobs,
    events: schedulerEvents(() => ctx!),
    active: () => scheduler.isActive,
  });
  ctx = {
    store,
    home,
    events: new EventBus(),
    scheduler,
    clusters,
    transport,
    version: APP_VERSION,
  };
  scheduler.start();
  clusters.start();
  return {
    ...ctx,
    ...localClient(ctx),
    close: () => {
      clusters.close();
      scheduler.closeNow();
      store.close();
    },
  };
}
