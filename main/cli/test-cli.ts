import type { CliIO } from './command';
import { runCli } from './main';

/** Tests: runs `biomed argv` in-process with `env`, returning its exit code and what it printed. */
export async function runCliCaptured(
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t), err: (t) => (err += t), env };
  const code = await runCli(argv, io);
  return { code, out, err };
}
