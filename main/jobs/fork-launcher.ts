import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineSplitter, type WorkerExit, type WorkerLauncher, type WorkerProcess } from './worker-process';

/**
 * Where a main-process entry is: from source (Vitest, tsx) `moduleUrl` ends in `.ts` and the
 * TypeScript file `tsName` beside it is run through tsx; from the build there is no TypeScript
 * runtime: the bundle `build/main/<jsName>`, found by walking up from the calling bundle.
 */
export function bundledEntry(
  tsName: string,
  jsName: string,
  moduleUrl: string,
): { file: string; fromSource: boolean } {
  const here = dirname(fileURLToPath(moduleUrl));
  if (moduleUrl.endsWith('.ts')) return { file: join(here, tsName), fromSource: true };
  let dir = here;
  for (let i = 0; i < 6; i++) {
    for (const candidate of [join(dir, jsName), join(dir, 'build', 'main', jsName)]) {
      if (existsSync(candidate)) return { file: candidate, fromSource: false };
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find build/main/${jsName} above ${here}; run \`npm run build\``);
}

/** The engine worker's entry and how to fork it (through tsx from source). */
export function workerEntry(moduleUrl: string = import.meta.url): { file: string; execArgv: string[] } {
  const { file, fromSource } = bundledEntry('worker-entry.ts', 'worker.js', moduleUrl);
  return { file, execArgv: fromSource ? ['--import', 'tsx'] : [] };
}

/** Engine workers as `child_process.fork` children (headless CLI, browser mode, tests). */
export const forkLauncher: WorkerLauncher = ({ name }) => {
  const entry = workerEntry();
  const child = fork(entry.file, [name], {
    execArgv: entry.execArgv,
    silent: true, // pipe stdout/stderr so they land in the run's log
    serialization: 'json',
    env: { ...process.env, BIOMED_WORKER: '1' },
  });
  const outputListeners: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
  const stdout = lineSplitter((l) => {
    for (const f of outputListeners) f(l, 'stdout');
  });
  const stderr = lineSplitter((l) => {
    for (const f of outputListeners) f(l, 'stderr');
  });
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  const proc: WorkerProcess = {
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message);
    },
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onOutput(listener) {
      outputListeners.push(listener);
    },
    onExit(listener) {
      // 'close' (not 'exit') fires after stdio is drained, so the log tail is complete.
      child.on('close', (code, signal) => {
        stdout.end();
        stderr.end();
        listener({ code, signal } satisfies WorkerExit);
      });
    },
  };
  // A spawn failure (missing entry, EAGAIN) surfaces as an exit the scheduler reports.
  child.on('error', (err) => {
    for (const f of outputListeners) f(`worker process error: ${err.message}`, 'stderr');
  });
  return proc;
};
