import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchedulerLock } from './scheduler-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bw-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RACER = join(import.meta.dirname, 'fixtures', 'lock-racer.ts');

/** Starts `n` processes that all try to take the lock at the same instant; their answers. */
async function race(file: string, n: number): Promise<string[]> {
  // Far enough ahead that every racer has loaded (tsx) and is spinning when the moment comes.
  const startAt = Date.now() + 4000;
  const outs = Array.from(
    { length: n },
    () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', RACER, file, String(startAt), '1500'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
        });
        child.on('error', reject);
        child.on('exit', () => resolve(out.trim()));
      }),
  );
  return Promise.all(outs);
}

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(String(r.stdout));
}

describe('scheduler lock', () => {
  it('one process holds it; another sees the holder; release frees it', () => {
    const file = join(dir, 'scheduler.lock');
    const a = new SchedulerLock(file);
    expect(a.acquire()).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    a.release();
    expect(new SchedulerLock(file).holder()).toBeNull();
  });

  it('of four processes opening the folder at the same moment, exactly one takes it', async () => {
    const answers = await race(join(dir, 'scheduler.lock'), 4);
    expect(answers.sort()).toEqual(['lost', 'lost', 'lost', 'won']);
  }, 30_000);

  it('a stale lock (dead pid) is taken over by exactly one of the racing processes', async () => {
    const file = join(dir, 'scheduler.lock');
    writeFileSync(file, `${deadPid()}\n`);
    expect(new SchedulerLock(file).holder()).toBeNull();
    const answers = await race(file, 4);
    expect(answers.sort()).toEqual(['lost', 'lost', 'lost', 'won']);
  }, 30_000);

  it('a live holder is respected and an unreadable lock is cleared', () => {
    const file = join(dir, 'scheduler.lock');
    writeFileSync(file, `${process.ppid}\n`);
    expect(new SchedulerLock(file).acquire()).toBe(false);
    writeFileSync(file, 'garbage');
    const lock = new SchedulerLock(file);
    expect(lock.acquire()).toBe(true);
    lock.release();
  });
});
