import type { WorkerExit } from './worker-process';

/** Known signatures of a worker that ran out of memory, in its last output lines. */
const OOM_PATTERNS = [
  /heap out of memory/i,
  /allocation failed/i,
  /std::bad_alloc/i,
  /OOM when allocating/i,
  /Cannot allocate memory/i,
  /out of memory/i,
];

/**
 * Why a worker ended without reporting `done` or `error`: exit code or signal, named in a way a
 * researcher can act on, recognising out-of-memory deaths from the log tail.
 */
export function describeWorkerDeath(exit: WorkerExit, logTail: string): string {
  const oom = OOM_PATTERNS.some((p) => p.test(logTail));
  if (oom) {
    return `The engine worker ran out of memory (${exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`}). Try a smaller scale preset or batch size.`;
  }
  if (exit.signal === 'SIGKILL') {
    return 'The engine worker was killed (SIGKILL): by the system for using too much memory, or by another program.';
  }
  if (exit.signal) return `The engine worker was stopped by signal ${exit.signal}.`;
  return `The engine worker exited unexpectedly with code ${exit.code ?? 'unknown'}.`;
}
