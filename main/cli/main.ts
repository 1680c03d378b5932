import type { CliIO, Command } from './command';
import { UsageError } from './command';
import { COMMANDS } from './commands/index';

function help(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Biomed Workbench: datasets, fine-tunes and evaluations of BiomedGPT-family models.',
    '',
    'Usage: biomed <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Data folder: $BIOMED_HOME, else the platform data directory.',
    "Run `biomed <command> --help` for a command's options.",
    '',
  ].join('\n');
}

/** Runs the CLI on `argv` (without node and script); returns the exit code. */
export async function runCli(
  argv: readonly string[],
  io: CliIO,
  commands: readonly Command[] = COMMANDS,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`Unknown command "${name}".\n\n${help(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    io.err(`Error: ${(err as Error).message}\n`);
    return 1;
  }
}
