import { ipcRenderer } from 'electron';

/**
 * Preload of the hidden GPU-worker window (see gpu-window-launcher.ts). It gives the unchanged
 * engine worker (main/jobs/worker-entry.ts) the `process.parentPort` it looks for, backed by IPC
 * to the main process, then imports the worker bundle with Node's ESM loader. The engine then
 * finds the renderer's own `navigator.gpu` (Electron's WebGPU, since Dawn for Node cannot load
 * inside Electron) and picks the 'webgpu' backend on a hardware adapter.
 */
const HOST = 'biomed-gpu-worker:host';
const WORKER = 'biomed-gpu-worker:worker';

const args = new Map(
  process.argv
    .filter((a) => a.startsWith('--biomed-'))
    .map((a) => a.slice(2).split('=', 2) as [string, string]),
);
const entry = args.get('biomed-worker-entry');
const name = args.get('biomed-worker-name') ?? 'gpu';

Object.defineProperty(process, 'parentPort', {
  configurable: true,
  value: {
    postMessage: (message: unknown) => ipcRenderer.send(WORKER, message),
    on: (_event: 'message', listener: (e: { data: unknown }) => void) =>
      ipcRenderer.on(HOST, (_e, data: unknown) => listener({ data })),
  },
});
// worker-entry reads its name like a forked worker: argv[2].
process.argv.splice(2, 0, name);
process.env['BIOMED_WORKER'] = '1';

if (!entry) {
  ipcRenderer.send(WORKER, { type: 'preload-error', message: 'no --biomed-worker-entry argument' });
} else {
  import(entry).catch((err: unknown) =>
    ipcRenderer.send(WORKER, { type: 'preload-error', message: String((err as Error)?.stack ?? err) }),
  );
}
