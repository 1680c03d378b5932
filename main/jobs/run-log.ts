import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Lines of a job's log kept in the store (the file keeps everything). */
export const LOG_TAIL_LINES = 40;

/**
 * A job's log: every line appended to `log.txt` in the run folder by the main process (so a
 * worker killed with SIGKILL cannot lose what it printed), and the last lines kept in memory
 * for the store's `log_tail`.
 */
export class RunLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly file: string,
    initialTail = '',
  ) {
    mkdirSync(dirname(file), { recursive: true });
    if (initialTail) this.lines.push(...initialTail.split('\n').slice(-LOG_TAIL_LINES));
  }

  append(line: string): void {
    const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
    try {
      appendFileSync(this.file, `${stamped}\n`);
    } catch {
      // A full disk must not stop the run's bookkeeping; the tail still reaches the store.
    }
    this.lines.push(stamped);
    if (this.lines.length > LOG_TAIL_LINES) this.lines.splice(0, this.lines.length - LOG_TAIL_LINES);
  }

  tail(): string {
    return this.lines.join('\n');
  }
}
