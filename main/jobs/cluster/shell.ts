import { spawn } from 'node:child_process';
import type { ClusterProfile } from '#shared/domain/cluster';

/** What a command printed and how it ended. */
export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How the workbench runs Slurm's commands and touches the shared folder of one cluster: directly
 * on this machine, or through the system `ssh` binary (the user's own config, keys and agent;
 * BatchMode, so a missing key fails instead of prompting). Every file operation is a plain
 * command, so both ways behave the same.
 */
export interface ClusterShell {
  /** Runs argv on the cluster side; `stdin` is fed to it. Never throws for a non-zero exit. */
  run(
    argv: readonly string[],
    options?: { stdin?: Buffer | string; timeoutMs?: number },
  ): Promise<ShellResult>;
  /** A human-readable description of where commands run. */
  readonly where: string;
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function spawnCollect(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  stdin: Buffer | string | undefined,
  timeoutMs: number,
): Promise<ShellResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: `${cmd}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: signal ? `${stderr}${cmd} killed (${signal}) after ${timeoutMs} ms` : stderr,
      });
    });
    child.stdin.on('error', () => {}); // a command that does not read its input
    child.stdin.end(stdin ?? '');
  });
}

/** The shell of a profile. */
export function clusterShell(profile: ClusterProfile): ClusterShell {
  const slurmEnv = profile.slurmConf ? { SLURM_CONF: profile.slurmConf } : {};
  if (profile.access.kind === 'local') {
    return {
      where: 'this machine',
      run: (argv, o = {}) =>
        spawnCollect(
          argv[0]!,
          argv.slice(1),
          { ...process.env, ...slurmEnv },
          o.stdin,
          o.timeoutMs ?? 60_000,
        ),
    };
  }
  const { host, configFile } = profile.access;
  const sshArgs = [
    ...(configFile ? ['-F', configFile] : []),
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=15',
    host,
    '--',
  ];
  const prefix = profile.slurmConf ? [`SLURM_CONF=${shellQuote(profile.slurmConf)}`] : [];
  return {
    where: `ssh ${host}`,
    run: (argv, o = {}) =>
      spawnCollect(
        'ssh',
        [...sshArgs, [...prefix, ...argv.map(shellQuote)].join(' ')],
        process.env,
        o.stdin,
        o.timeoutMs ?? 60_000,
      ),
  };
}

/** Reads a file from `offset` on (empty when it does not exist). */
export async function readFrom(shell: ClusterShell, path: string, offset: number): Promise<Buffer | null> {
  const r = await shell.run([
    'sh',
    '-c',
    'test -f "$1" || exit 3; tail -c +"$2" "$1"',
    'sh',
    path,
    String(offset + 1),
  ]);
  if (r.code === 3) return null;
  if (r.code !== 0) throw new Error(`reading ${path} on the cluster failed: ${r.stderr.trim()}`);
  return Buffer.from(r.stdout, 'utf8');
}

/** Names in a folder (empty when it does not exist). */
export async function listDir(shell: ClusterShell, dir: string): Promise<string[]> {
  const r = await shell.run(['sh', '-c', 'test -d "$1" || exit 0; ls -1 "$1"', 'sh', dir]);
  if (r.code !== 0) throw new Error(`listing ${dir} on the cluster failed: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter((l) => l.length > 0);
}
