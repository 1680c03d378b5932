import type { ApiErrorPayload } from './errors';

// The Electron IPC wire, declared once for the preload (which may import nothing that pulls in
// zod or Node: it is one sandboxed file) and main/transport/ipc-binding.ts.

/** Channel of `window.workbench.invoke`: (method, input) in, an `IpcReply` back. */
export const IPC_INVOKE = 'workbench:invoke';
/** Channel of pushed events: (event name, payload). */
export const IPC_EVENT = 'workbench:event';

/** The reply to an invoke: error codes survive Electron's error serialisation this way. */
export type IpcReply = { ok: true; output: unknown } | { ok: false; error: ApiErrorPayload };
