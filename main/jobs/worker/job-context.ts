import type { WorkerMessage } from '#main/jobs/protocol';

/** Messages a job sends, without the protocol version (the entry adds it). */
export type JobMessage = WorkerMessage extends infer M
  ? M extends WorkerMessage
    ? Omit<M, 'v'>
    : never
  : never;

/** What a running job may do besides computing: report, log, and learn it should stop. */
export interface JobContext {
  send(message: JobMessage): void;
  log(line: string, level?: 'info' | 'warn' | 'error'): void;
  /** Set once the host asked to stop; checked at every step boundary. */
  stopRequested(): 'cancel' | 'pause' | null;
  /** Lets queued IPC messages (cancel) through between steps of synchronous compute. */
  yieldToHost(): Promise<void>;
}
