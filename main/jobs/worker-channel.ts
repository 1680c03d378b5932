import type { HostMessage, WorkerMessage } from './protocol';

/** The worker's side of the pipe: Electron's `parentPort` in a utility process, else Node IPC. */
export interface WorkerChannel {
  /** Resolves once the message left this process (so exiting after it cannot lose it). */
  send(message: WorkerMessage): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
}

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}

/** The channel of this process; throws when it was not started as a worker. */
export function workerChannel(): WorkerChannel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
  if (port) {
    return {
      send: (m) => {
        port.postMessage(m);
        return Promise.resolve();
      },
      onMessage: (l) => port.on('message', (e) => l(e.data)),
    };
  }
  if (!process.send) throw new Error('the engine worker must be started by the workbench (no IPC channel)');
  return {
    send: (m) =>
      new Promise<void>((resolve) => {
        if (!process.send || !process.connected) return resolve();
        process.send(m, undefined, {}, () => resolve());
      }),
    onMessage: (l) => process.on('message', l),
  };
}

export type { HostMessage };
