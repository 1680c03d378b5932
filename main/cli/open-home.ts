import { defaultDataRoot } from '#main/services/data-home';
import { openWorkbench } from '#main/services/open';
import type { CliIO } from './command';

/** Opens the data folder the CLI works on: BIOMED_HOME, else the platform's data directory. */
export function openCliWorkbench(io: CliIO, transport: 'browser' | 'electron' = 'browser') {
  return openWorkbench(defaultDataRoot(io.env), transport);
}
