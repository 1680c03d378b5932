import { contextBridge, ipcRenderer, webUtils } from 'electron';

// Runs sandboxed (CommonJS, no Node): builds `window.workbench` over IPC. Channel names match
// shared/api/wire.ts; validation happens in the main process.
const IPC_INVOKE = 'workbench:invoke';
const IPC_EVENT = 'workbench:event';

interface Reply {
  ok: boolean;
  output?: unknown;
  error?: { code: string; message: string; field?: string };
}

contextBridge.exposeInMainWorld('workbench', {
  transport: 'electron',
  /** The path of a file or folder dropped on the window (the import wizard's drop zone). */
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  async invoke(method: string, input: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(IPC_INVOKE, method, input)) as Reply;
    if (reply.ok) return reply.output;
    const err = new Error(reply.error?.message ?? 'Unknown error') as Error & {
      code?: string;
      field?: string;
    };
    err.code = reply.error?.code;
    err.field = reply.error?.field;
    throw err;
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    const handler = (_e: unknown, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
});
