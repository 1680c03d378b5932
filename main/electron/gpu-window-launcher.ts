import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain } from 'electron';
import { workerEntry } from '#main/jobs/fork-launcher';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from '#main/jobs/worker-process';
import { utilityLauncher } from './utility-launcher';

/**
 * Engine workers in hidden windows, for the GPU. Dawn for Node (`webgpu`) cannot run inside
 * Electron (node-webgpu issue #5, "External buffers are not allowed"), and utility processes
 * have no WebGPU; a renderer has Electron's own. So a GPU job runs the same worker code
 * (build/main/worker.js) in a hidden, never-navigating window whose preload
 * (gpu-worker-preload.ts) gives it Node and a `process.parentPort` over IPC: the same typed
 * protocol as every other worker. The window loads nothing but about:blank; one window per job,
 * closed when the job exits. Cannot run in CI (no Electron binary there); type-checked.
 */
const HOST = 'biomed-gpu-worker:host';
const WORKER = 'biomed-gpu-worker:worker';
const here = dirname(fileURLToPath(import.meta.url));

export const gpuWindowLauncher: WorkerLauncher = ({ name }) => {
  const entry = workerEntry();
  const win = new BrowserWindow({
    show: false,
    title: `Biomed engine (${name})`,
    webPreferences: {
      preload: join(here, 'gpu-worker-preload.cjs'),
      // The worker needs Node (data files, checkpoints): no sandbox for this one window, which
      // never loads remote content (navigation and new windows are refused below).
      sandbox: false,
      contextIsolation: true,
      nodeIntegration: false,
      backgroundThrottling: false, // a hidden window must not be slowed down
      additionalArguments: [
        `--biomed-worker-entry=${pathToFileURL(entry.file).href}`,
        `--biomed-worker-name=${name}`,
      ],
    },
  });
  const contents = win.webContents;
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const messageListeners: ((m: unknown) => void)[] = [];
  const outputListeners: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
  const exitListeners: ((e: WorkerExit) => void)[] = [];
  let exited = false;
  const exit = (code: number | null) => {
    if (exited) return;
    exited = true;
    ipcMain.removeListener(WORKER, onWorker);
    if (!win.isDestroyed()) win.destroy();
    for (const l of exitListeners) l({ code, signal: null });
  };
  const onWorker = (e: Electron.IpcMainEvent, message: unknown) => {
    if (e.sender !== contents) return;
    const m = message as { type?: string; message?: string };
    if (m?.type === 'preload-error') {
      for (const l of outputListeners) l(`GPU worker failed to start: ${m.message}`, 'stderr');
      exit(1);
      return;
    }
    for (const l of messageListeners) l(message);
  };
  ipcMain.on(WORKER, onWorker);
  contents.on('console-message', (e) => {
    const line = (e as unknown as { message: string }).message;
    const level = (e as unknown as { level: string }).level;
    for (const l of outputListeners) l(line, level === 'error' || level === 'warning' ? 'stderr' : 'stdout');
  });
  // The worker ends with process.exit(code): the renderer goes away with that code.
  contents.on('render-process-gone', (_e, details) => exit(details.exitCode));
  win.on('closed', () => exit(null));
  void win.loadURL('about:blank');
  const proc: WorkerProcess = {
    get pid() {
      return contents.isDestroyed() ? undefined : contents.getOSProcessId();
    },
    send(message) {
      if (!exited && !contents.isDestroyed()) contents.send(HOST, message);
    },
    kill() {
      if (!exited && !contents.isDestroyed()) contents.forcefullyCrashRenderer();
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onOutput(listener) {
      outputListeners.push(listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
  };
  return proc;
};

/**
 * GPU jobs go to a hidden window when Electron reports hardware WebGPU, everything else (and
 * every job when it does not) to a utility process.
 */
export function desktopLauncher(): WorkerLauncher {
  const status = app.getGPUFeatureStatus() as unknown as Record<string, string | undefined>;
  const webgpu = status['webgpu'] ?? '';
  const hardware = webgpu.startsWith('enabled') && !webgpu.includes('software');
  return hardware && process.env['BIOMED_BACKEND'] !== 'wasm' ? gpuWindowLauncher : utilityLauncher;
}
