import type { Command } from '#main/cli/command';
import { clusterCommand } from './cluster';
import { datasetsCommand } from './datasets';
import { demoCommand } from './demo';
import { evalCommand } from './eval';
import { infoCommand } from './info';
import { modelCommand } from './model';
import { reproduceCommand } from './reproduce';
import { runsCommand } from './runs';
import { serveCommand } from './serve';
import { trainCommand } from './train';
import { weightsCommand } from './weights';

/** Every `biomed` command, in the order `biomed --help` lists them. */
export const COMMANDS: readonly Command[] = [
  clusterCommand,
  datasetsCommand,
  demoCommand,
  evalCommand,
  infoCommand,
  modelCommand,
  reproduceCommand,
  runsCommand,
  serveCommand,
  trainCommand,
  weightsCommand,
];
