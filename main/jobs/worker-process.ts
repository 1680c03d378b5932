import type { HostMessage } from './protocol';

/** How a worker process ended. */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
}

/**
 * One engine worker process as the scheduler sees it. Two implementations: `child_process.fork`
 * under plain Node (fork-launcher.ts) and Electron's `utilityProcess` (main/electron), so the
 * scheduler never knows which runtime it is on.
 */
export interface WorkerProcess {
  readonly pid: number | undefined;
  send(message: HostMessage): void;
  /** Hard stop (SIGKILL by default): used after the cancel grace period. */
  kill(signal?: NodeJS.Signals): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Lines the worker printed (stdout, stderr): kept in the run's log. */
  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
  onExit(listener: (exit: WorkerExit) => void): void;
}

/** Starts one worker process. */
export type WorkerLauncher = (options: { readonly name: string }) => WorkerProcess;

/** Splits a byte stream into lines, calling `emit` for each complete one. */
export function lineSplitter(emit: (line: string) => void): {
  push(chunk: Buffer | string): void;
  end(): void;
} {
  let rest = '';
  return {
    push(chunk) {
      rest += chunk.toString();
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) if (l.length > 0) emit(l);
    },
    end() {
      if (rest.length > 0) emit(rest);
      rest = '';
    },
  };
}
