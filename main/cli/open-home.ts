import { defaultDataRoot } from '#main/services/data-home';
import { type OpenOptions, openWorkbench } from '#main/services/open';
import type { CliIO } from './command';

/**
 * Opens the data folder the CLI works on: BIOMED_HOME, else the platform's data directory.
 * Commands run no jobs unless they ask (`serve`, `train`, `eval`, `demo`, `runs resume`).
 */
export function openCliWorkbench(
  io: CliIO,
  transport: 'browser' | 'electron' = 'browser',
  options: OpenOptions = { runJobs: false },
) {
  return openWorkbench(defaultDataRoot(io.env), transport, options);
}
