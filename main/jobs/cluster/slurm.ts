import type { ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';
import { SLURM_FINAL_STATES } from '#shared/domain/cluster';
import { type ClusterShell, readFrom } from './shell';

/** A Slurm command failed; the message names the command and what it printed. */
export class SlurmError extends Error {
  override readonly name = 'SlurmError';
}

const FINAL = new Set<string>(SLURM_FINAL_STATES);

/** Whether a Slurm state ends the job (`CANCELLED by 0` counts as CANCELLED). */
export function isFinalState(state: string): boolean {
  // LOST: the workbench's own verdict on a job no Slurm source reports past the grace time.
  return FINAL.has(baseState(state)) || baseState(state) === 'LOST';
}

/** The state word without sacct's decorations (`CANCELLED by 0` -> `CANCELLED`). */
export function baseState(state: string): string {
  return state.trim().split(/\s+/)[0]?.replace(/\+$/, '') ?? '';
}

/** `[D-]HH:MM:SS`, `MM:SS` or plain seconds as seconds. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (t === '' || t === 'INVALID' || t === 'N/A') return null;
  if (/^\d+$/.test(t)) return Number(t);
  const m = t.match(/^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/);
  if (!m) return null;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** sacct's MaxRSS (`3208K`, `1.5G`, bytes) as bytes. */
export function parseMemory(text: string): number | null {
  const m = text.trim().match(/^([\d.]+)([KMGTP]?)$/i);
  if (!m) return null;
  const scale =
    { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 }[m[2]!.toUpperCase()] ?? 1;
  return Math.round(Number(m[1]) * scale);
}

const nullIf = (v: string | undefined): string | null =>
  v === undefined || v === '' || v === 'None' || v === '(null)' || v === 'None assigned' ? null : v;

/** The options a profile asks every job for (they go on the sbatch command line). */
export function sbatchOptions(p: ClusterProfile): string[] {
  const gres = p.gpus > 0 ? [`--gres=gpu:${p.gpuType ? `${p.gpuType}:` : ''}${p.gpus}`] : [];
  return [
    ...(p.partition ? [`--partition=${p.partition}`] : []),
    ...(p.account ? [`--account=${p.account}`] : []),
    ...(p.qos ? [`--qos=${p.qos}`] : []),
    ...gres,
    '--nodes=1',
    '--ntasks=1',
    `--cpus-per-task=${p.cpus}`,
    `--mem=${p.memoryMb}M`,
    `--time=${p.timeLimit}`,
  ];
}

/** Submits a batch script file; returns the job id (`123`). */
export async function sbatch(
  shell: ClusterShell,
  profile: ClusterProfile,
  script: string,
  extra: readonly string[],
): Promise<string> {
  const r = await shell.run(['sbatch', '--parsable', ...sbatchOptions(profile), ...extra, script]);
  const id = r.stdout.trim().split(';')[0] ?? '';
  if ((r.code !== 0 || !/^\d+$/.test(id)) && profile.gpus > 0) {
    // Slurm's "Requested node configuration is not available" does not say it is the GPUs.
    const where = profile.partition ? ['-p', profile.partition] : [];
    const gres = (await shell.run(['sinfo', '-h', ...where, '-o', '%G'])).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && l !== '(null)');
    if (!gres.some((g) => /gpu/.test(g)))
      throw new SlurmError(
        `sbatch refused the job (${shell.where}): the profile asks for ${profile.gpus} GPU(s) (--gres=gpu:${profile.gpus}) but partition "${profile.partition ?? 'default'}" has no node with GPUs (sinfo lists no gpu GRES there); set gpus to 0 or choose a GPU partition. Slurm said: ${(r.stderr || r.stdout).trim()}`,
      );
  }
  if (r.code !== 0 || !/^\d+$/.test(id)) {
    throw new SlurmError(
      `sbatch failed (${shell.where}): ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`,
    );
  }
  return id;
}

/** Cancels jobs (`123`, `123_4`). */
export async function scancel(shell: ClusterShell, jobIds: readonly string[]): Promise<void> {
  if (jobIds.length === 0) return;
  const r = await shell.run(['scancel', ...jobIds]);
  if (r.code !== 0) throw new SlurmError(`scancel ${jobIds.join(' ')} failed: ${r.stderr.trim()}`);
}

/** Parses `squeue -h -r -o '%i|%T|%r|%N|%M'`. */
export function parseSqueue(out: string): Map<string, SlurmJobInfo> {
  const map = new Map<string, SlurmJobInfo>();
  for (const line of out.split('\n')) {
    const [jobId, state, reason, node, elapsed] = line.trim().split('|');
    if (!jobId || !state) continue;
    map.set(jobId, {
      jobId,
      state,
      reason: nullIf(reason),
      node: nullIf(node),
      elapsedSeconds: parseDuration(elapsed ?? ''),
      exitCode: null,
      maxRssBytes: null,
    });
  }
  return map;
}

/** The live jobs of this user. */
export async function squeue(shell: ClusterShell): Promise<Map<string, SlurmJobInfo>> {
  const r = await shell.run(['squeue', '-h', '-r', '--me', '-o', '%i|%T|%r|%N|%M']);
  if (r.code !== 0) throw new SlurmError(`squeue failed (${shell.where}): ${r.stderr.trim()}`);
  return parseSqueue(r.stdout);
}

/** Parses `sacct -n -P -o JobID,State,Reason,NodeList,ElapsedRaw,ExitCode,MaxRSS` (steps included). */
export function parseSacct(out: string): Map<string, SlurmJobInfo> {
  const map = new Map<string, SlurmJobInfo>();
  const rss = new Map<string, number>();
  for (const line of out.split('\n')) {
    const [id, state, reason, node, elapsed, exit, maxRss] = line.trim().split('|');
    if (!id || !state) continue;
    const dot = id.indexOf('.');
    if (dot >= 0) {
      const bytes = parseMemory(maxRss ?? '');
      const parent = id.slice(0, dot);
      if (bytes !== null) rss.set(parent, Math.max(rss.get(parent) ?? 0, bytes));
      continue;
    }
    map.set(id, {
      jobId: id,
      state: baseState(state),
      reason: nullIf(reason),
      node: nullIf(node),
      elapsedSeconds: parseDuration(elapsed ?? ''),
      exitCode: nullIf(exit),
      maxRssBytes: null,
    });
  }
  for (const [id, bytes] of rss) {
    const job = map.get(id);
    if (job) map.set(id, { ...job, maxRssBytes: bytes });
  }
  return map;
}

/** Why sacct could not answer: no accounting on this cluster (vs. any other failure). */
export function isNoAccounting(stderr: string): boolean {
  return /accounting storage is disabled|slurmdbd|Problem talking to the database/i.test(stderr);
}

/** Accounting records of jobs (numeric ids); null when the cluster has no accounting. */
export async function sacct(
  shell: ClusterShell,
  jobIds: readonly string[],
): Promise<Map<string, SlurmJobInfo> | null> {
  const ids = [...new Set(jobIds.map((j) => j.split('_')[0]!))];
  if (ids.length === 0) return new Map();
  const r = await shell.run([
    'sacct',
    '-n',
    '-P',
    '-j',
    ids.join(','),
    '-o',
    'JobID,State,Reason,NodeList,ElapsedRaw,ExitCode,MaxRSS',
  ]);
  if (r.code !== 0 || isNoAccounting(r.stderr)) {
    if (isNoAccounting(r.stderr) || isNoAccounting(r.stdout)) return null;
    throw new SlurmError(`sacct failed (${shell.where}): ${r.stderr.trim()}`);
  }
  return parseSacct(r.stdout);
}

/** `key=value` pairs of one `scontrol -o` or jobcomp line (values hold no spaces there). */
export function parseKeyValues(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=(\S*)/g)) out[m[1]!] ??= m[2]!;
  return out;
}

function fromKeyValues(kv: Record<string, string>): SlurmJobInfo | null {
  const raw = kv['JobId'];
  if (!raw) return null;
  const jobId =
    kv['ArrayJobId'] && kv['ArrayTaskId'] && kv['ArrayTaskId'] !== 'N/A'
      ? `${kv['ArrayJobId']}_${kv['ArrayTaskId']}`
      : raw;
  return {
    jobId,
    state: baseState(kv['JobState'] ?? ''),
    reason: nullIf(kv['Reason']),
    node: nullIf(kv['NodeList']),
    elapsedSeconds: parseDuration(kv['RunTime'] ?? '') ?? elapsedBetween(kv['StartTime'], kv['EndTime']),
    exitCode: nullIf(kv['ExitCode']),
    maxRssBytes: null,
  };
}

function elapsedBetween(start?: string, end?: string): number | null {
  const a = start ? Date.parse(start) : Number.NaN;
  const b = end ? Date.parse(end) : Number.NaN;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.max(0, Math.round((b - a) / 1000)) : null;
}

/** Parses `scontrol show job -o` or jobcomp/filetxt lines; a later line of a job wins. */
export function parseJobLines(out: string): Map<string, SlurmJobInfo> {
  const map = new Map<string, SlurmJobInfo>();
  for (const line of out.split('\n')) {
    const info = fromKeyValues(parseKeyValues(line));
    if (info) map.set(info.jobId, info);
  }
  return map;
}

/** What slurmctld still remembers of jobs (for MinJobAge after their end). */
export async function scontrolJobs(
  shell: ClusterShell,
  jobIds: readonly string[],
): Promise<Map<string, SlurmJobInfo>> {
  const map = new Map<string, SlurmJobInfo>();
  for (const id of new Set(jobIds.map((j) => j.split('_')[0]!))) {
    const r = await shell.run(['scontrol', 'show', 'job', '-o', id]);
    if (r.code === 0) for (const [k, v] of parseJobLines(r.stdout)) map.set(k, v);
  }
  return map;
}

/** The cluster's job-completion log (jobcomp/filetxt), if it has one. */
export async function jobcompLocation(shell: ClusterShell): Promise<string | null> {
  const r = await shell.run(['scontrol', 'show', 'config']);
  if (r.code !== 0) return null;
  const type = r.stdout.match(/^JobCompType\s*=\s*(\S+)/m)?.[1];
  const loc = r.stdout.match(/^JobCompLoc\s*=\s*(\S+)/m)?.[1];
  return type === 'jobcomp/filetxt' && loc ? loc : null;
}

/** Finished jobs from the job-completion log. */
export async function jobcompJobs(shell: ClusterShell, location: string): Promise<Map<string, SlurmJobInfo>> {
  const bytes = await readFrom(shell, location, 0);
  return bytes ? parseJobLines(bytes.toString('utf8')) : new Map();
}
