import type { Command } from '../command';
import { datasetsCommand } from './datasets';
import { infoCommand } from './info';
import { runsCommand } from './runs';
import { serveCommand } from './serve';

/** Every `biomed` command, in the order `biomed --help` lists them. */
export const COMMANDS: readonly Command[] = [datasetsCommand, infoCommand, runsCommand, serveCommand];
