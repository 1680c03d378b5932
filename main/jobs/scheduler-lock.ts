import { linkSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

/** True when a process with this pid exists (signal 0 checks without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a lock file, or null (absent, or not a pid). */
function pidIn(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Creates `file` holding our pid, atomically and complete: the pid goes into a private file that
 * is then hard-linked to `file` (link(2) fails with EEXIST when `file` exists, on every local
 * file system), so no reader ever sees a half-written lock. False when `file` exists.
 */
function createWithPid(file: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, `${process.pid}\n`);
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** A breaker lock older than this was left by a process that died while clearing a stale lock. */
const BREAKER_STALE_MS = 10_000;

/**
 * Who runs jobs of a data folder: the first process to open it with jobs enabled (the app,
 * `biomed serve`, `biomed train`) holds this lock file (its pid inside). A second process (say
 * `biomed runs list` while the app is open) must neither start jobs nor mark the owner's running
 * runs interrupted.
 *
 * Taking it is atomic (`createWithPid`): of two processes opening the folder at the same moment
 * exactly one wins. A lock whose pid is dead is stale; it is removed only while holding a second
 * lock (`<file>.break`), after reading the pid again, so two processes clearing the same stale lock
 * cannot delete each other's new one.
 */
export class SchedulerLock {
  private held = false;

  constructor(private readonly file: string) {}

  /** The pid of another live process holding the lock, if any. */
  holder(): number | null {
    const pid = pidIn(this.file);
    return pid !== null && pid !== process.pid && processAlive(pid) ? pid : null;
  }

  /** Takes the lock unless another live process holds it. */
  acquire(): boolean {
    if (this.held) return true;
    for (let attempt = 0; attempt < 50; attempt++) {
      if (createWithPid(this.file)) {
        this.held = true;
        return true;
      }
      const pid = pidIn(this.file);
      if (pid === process.pid) {
        // Left by this very process (a scheduler stopped without release): take it over.
        this.held = true;
        return true;
      }
      if (pid !== null && processAlive(pid)) return false;
      // Stale (dead pid or unreadable content) or just removed: clear it under the breaker, retry.
      this.clearStale(pid);
    }
    return false;
  }

  private clearStale(seen: number | null): void {
    const breaker = `${this.file}.break`;
    if (!createWithPid(breaker)) {
      // Someone else is clearing it: give it a moment; a breaker left by a crash goes after a while.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      try {
        if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS) unlinkSync(breaker);
      } catch {
        // gone already
      }
      return;
    }
    try {
      const now = pidIn(this.file);
      // Remove only the lock we judged stale, not one a live process created meanwhile.
      if (now === seen && (now === null || !processAlive(now))) rmSync(this.file, { force: true });
    } finally {
      rmSync(breaker, { force: true });
    }
  }

  release(): void {
    if (this.held && pidIn(this.file) === process.pid) rmSync(this.file, { force: true });
    this.held = false;
  }

  get isHeld(): boolean {
    return this.held;
  }
}
