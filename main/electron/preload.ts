import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type IpcReply } from '#shared/api/ipc';

// Runs sandboxed (CommonJS, no Node): builds `window.workbench` over IPC. The channels and the
// reply come from shared/api/ipc.ts (bundled in: the preload is one file); validation happens in
// the main process.

contextBridge.exposeInMainWorld('workbench', {
  transport: 'electron',
  /** The path of a file or folder dropped on the window (the import wizard's drop zone). */
  pathForFile(file: File): string {
    return webUtils.getPathForFile(file);
  },
  async invoke(method: string, input: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(IPC_INVOKE, method, input)) as IpcReply;
    if (reply.ok) return reply.output;
    const err = new Error(reply.error.message) as Error & { code?: string; field?: string };
    err.code = reply.error.code;
    err.field = reply.error.field;
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
