import { utilityProcess } from 'electron';
import { workerEntry } from '#main/jobs/fork-launcher';
import {
  lineSplitter,
  type WorkerExit,
  type WorkerLauncher,
  type WorkerProcess,
} from '#main/jobs/worker-process';

/**
 * Engine workers as Electron utility processes (the desktop app): same protocol and entry as the
 * forked workers, through `postMessage`/`parentPort` instead of Node IPC. Electron reports an exit
 * code only, so a killed worker shows as a non-zero code rather than a signal.
 */
export const utilityLauncher: WorkerLauncher = ({ name }) => {
  const entry = workerEntry();
  const child = utilityProcess.fork(entry.file, [name], {
    stdio: 'pipe',
    serviceName: `Biomed engine (${name})`,
    execArgv: entry.execArgv,
    env: { ...process.env, BIOMED_WORKER: '1' },
  });
  const outputListeners: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
  const out = lineSplitter((l) => {
    for (const f of outputListeners) f(l, 'stdout');
  });
  const err = lineSplitter((l) => {
    for (const f of outputListeners) f(l, 'stderr');
  });
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  let exited = false;
  const proc: WorkerProcess = {
    get pid() {
      return child.pid;
    },
    send(message) {
      if (!exited) child.postMessage(message);
    },
    kill() {
      if (!exited) child.kill();
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onOutput(listener) {
      outputListeners.push(listener);
    },
    onExit(listener) {
      child.on('exit', (code) => {
        exited = true;
        out.end();
        err.end();
        listener({ code, signal: null } satisfies WorkerExit);
      });
    },
  };
  return proc;
};
