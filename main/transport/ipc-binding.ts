import type { ServiceContext } from '#main/services/context';
import { dispatch, toApiError } from '#main/services/dispatch';
import { events as eventSchemas } from '#shared/api/contract';
import { IPC_EVENT, IPC_INVOKE, type IpcReply } from '#shared/api/ipc';

/** The parts of Electron's `ipcMain` this binding uses (passed in by main/electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The parts of an IPC invoke event used to check who is calling. */
export interface IpcInvokeEventLike {
  readonly senderFrame: { readonly url: string } | null;
}

/** A window that receives pushed events. */
export interface EventTarget {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/**
 * Binds the workbench API to Electron IPC. Only frames whose URL passes `isTrustedUrl` (the app's
 * own renderer) may call; inputs are validated by the same dispatcher as browser mode.
 * Replies carry `{ ok, output | error }` so error codes survive Electron's error serialisation.
 */
export function bindIpc(
  ipcMain: IpcMainLike,
  ctx: ServiceContext,
  isTrustedUrl: (url: string) => boolean,
  windows: () => readonly EventTarget[],
): () => void {
  ipcMain.handle(IPC_INVOKE, async (event, method, input): Promise<IpcReply> => {
    const url = event.senderFrame?.url ?? '';
    if (!isTrustedUrl(url)) {
      console.error(`refused IPC call ${String(method)} from untrusted frame ${url}`);
      return {
        ok: false,
        error: { code: 'unauthorized', message: 'Refused: the caller is not the workbench window' },
      };
    }
    try {
      return { ok: true, output: await dispatch(ctx, method, input) };
    } catch (err) {
      return { ok: false, error: toApiError(err).toPayload() };
    }
  });
  const unsubscribe = ctx.events.subscribe((event, payload) => {
    const checked = eventSchemas[event].safeParse(payload);
    if (!checked.success) return;
    for (const w of windows()) if (!w.isDestroyed()) w.send(IPC_EVENT, event, checked.data);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE);
  };
}
