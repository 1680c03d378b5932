/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
}

/** One `biomed <name> ...` command. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Returns the process exit code. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

/** Error for bad command-line usage: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}
