import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { ensureDemoDatasets } from '#main/services/demo-datasets';
import { openWorkbench } from '#main/services/open';
import { bindIpc } from '#main/transport/ipc-binding';
import { desktopLauncher } from './gpu-window-launcher';
import { hardenContents, hardenSession, isAppUrl } from './security';

// The desktop shell: one window over the same services as browser mode; the data folder is the
// Electron user-data folder. This file and its siblings are the only Electron code.
const here = dirname(fileURLToPath(import.meta.url));
const rendererIndex = join(here, '..', 'renderer', 'index.html');
const rendererIndexUrl = pathToFileURL(rendererIndex).href;

// Every window is sandboxed by its own webPreferences (not app.enableSandbox(), which would also
// take Node from the hidden GPU-worker windows of gpu-window-launcher.ts).

async function start(): Promise<void> {
  await app.whenReady();
  let ctx: ReturnType<typeof openWorkbench>;
  try {
    ctx = openWorkbench(process.env.BIOMED_HOME ?? app.getPath('userData'), 'electron', {
      launcher: desktopLauncher(),
    });
  } catch (err) {
    dialog.showErrorBox('Biomed Workbench cannot open its data folder', (err as Error).message);
    app.exit(1);
    return;
  }
  // A fresh data folder starts with the synthetic demo datasets (one per task type).
  await ensureDemoDatasets(ctx).catch((err: Error) => console.error(`Demo datasets: ${err.message}`));
  const windows: BrowserWindow[] = [];
  hardenSession(session.defaultSession);
  const unbind = bindIpc(
    ipcMain,
    ctx,
    (url) => isAppUrl(url, rendererIndexUrl),
    () => windows.map((w) => w.webContents),
  );
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Biomed Workbench',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  windows.push(win);
  hardenContents(win.webContents, win, rendererIndexUrl);
  win.once('ready-to-show', () => win.show());
  await win.loadFile(rendererIndex);
  app.on('window-all-closed', () => {
    unbind();
    ctx.close();
    app.quit();
  });
}

void start();
