import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** True when a process with this pid exists (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who runs jobs of a data folder: the first process to open it with jobs enabled (the app,
 * `biomed serve`, `biomed train`) writes its pid here. A second process (say `biomed runs list`
 * while the app is open) must neither start jobs nor mark the owner's running runs interrupted.
 */
export class SchedulerLock {
  private held = false;

  constructor(private readonly file: string) {}

  /** The pid of another live process holding the lock, if any. */
  holder(): number | null {
    try {
      const pid = Number(readFileSync(this.file, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
    } catch {
      return null;
    }
  }

  /** Takes the lock unless another live process holds it. */
  acquire(): boolean {
    if (this.holder() !== null) return false;
    writeFileSync(this.file, `${process.pid}\n`);
    this.held = true;
    return true;
  }

  release(): void {
    if (this.held) rmSync(this.file, { force: true });
    this.held = false;
  }

  get isHeld(): boolean {
    return this.held;
  }
}
