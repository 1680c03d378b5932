import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fileOf = (runsDir: string, runId: string) => join(runsDir, runId, 'stop-request');

/**
 * A cancel or pause asked by a process that does not run the job (`biomed runs cancel` while the
 * app or `biomed train` runs it): a small file in the run folder that the owning scheduler polls.
 */
export function writeStopRequest(runsDir: string, runId: string, mode: 'cancel' | 'pause'): void {
  mkdirSync(join(runsDir, runId), { recursive: true });
  writeFileSync(fileOf(runsDir, runId), mode);
}

/** Reads and removes a pending stop request of a run. */
export function takeStopRequest(runsDir: string, runId: string): 'cancel' | 'pause' | null {
  let text: string;
  try {
    text = readFileSync(fileOf(runsDir, runId), 'utf8').trim();
  } catch {
    return null;
  }
  rmSync(fileOf(runsDir, runId), { force: true });
  return text === 'pause' ? 'pause' : 'cancel';
}
