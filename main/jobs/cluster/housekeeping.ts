import { basename } from 'node:path';
import type { ClusterJobRecord } from '#db/repos/clusters';
import type { Store } from '#db/store';
import type {
  ClusterBundleUse,
  ClusterCleanResult,
  ClusterFolderUse,
  ClusterProfile,
  ClusterUsage,
} from '#shared/domain/cluster';
import { type ClusterShell, clusterShell } from './shell';

// Two `du` calls, so the bundles' totals are not reduced by folders the first call already counted.
const DU_SCRIPT = [
  'cd "$1" 2>/dev/null || exit 0',
  'du -sk -- */runs/* */evals/* 2>/dev/null',
  'echo "-- bundles"',
  'du -sk -- * 2>/dev/null',
  'exit 0',
].join('\n');

function parseDu(out: string, root: string) {
  const folders = new Map<string, number>();
  const bundles = new Map<string, number>();
  let into = folders;
  for (const line of out.split('\n')) {
    if (line === '-- bundles') {
      into = bundles;
      continue;
    }
    const m = line.match(/^(\d+)\s+(.+)$/);
    if (m) into.set(`${root}/${m[2]!.replace(/\/$/, '')}`, Number(m[1]) * 1024);
  }
  return { folders, bundles };
}

/** The newest job of each owner, among the jobs whose bundle is `bundleDir`. */
function latestByOwner(jobs: readonly ClusterJobRecord[], bundleDir: string): ClusterJobRecord[] {
  const latest = new Map<string, ClusterJobRecord>();
  for (const j of jobs) {
    if (j.bundleDir !== bundleDir) continue;
    const seen = latest.get(j.runId);
    if (!seen || j.attempt > seen.attempt) latest.set(j.runId, j);
  }
  return [...latest.values()];
}

/** Why a bundle must stay (null: it may go), from what the store knows of its runs and evaluations. */
function keepReason(
  store: Store,
  bundleDir: string,
  runJobs: readonly ClusterJobRecord[],
  evalJobs: readonly ClusterJobRecord[],
  includeFailed: boolean,
): string | null {
  if (runJobs.length + evalJobs.length === 0) return 'no run or evaluation of this data folder uses it';
  for (const j of [...runJobs, ...evalJobs]) {
    if (!j.closed) return `job ${j.jobId} is still followed (Slurm: ${j.state}): not ended or not ingested`;
  }
  for (const j of runJobs) {
    const run = store.runs.get(j.runId);
    if (!run) continue;
    if (run.status === 'paused' || run.status === 'interrupted')
      return `run "${run.name}" is ${run.status}: resuming it needs its checkpoints there`;
    if ((run.status === 'failed' || run.status === 'cancelled') && !includeFailed)
      return `run "${run.name}" is ${run.status}: resuming it needs its checkpoints there (include failed runs to remove it)`;
  }
  // An evaluation of another bundle still decoding a checkpoint that lives in this one.
  for (const j of store.clusters.evaluations.openJobs()) {
    if (j.bundleDir === bundleDir) continue;
    if (store.evaluations.checkpointPath(j.runId)?.startsWith(`${bundleDir}/`))
      return `evaluation job ${j.jobId} (another bundle) decodes a checkpoint in it`;
  }
  return null;
}

async function measure(
  store: Store,
  profile: ClusterProfile,
  shell: ClusterShell,
  includeFailed: boolean,
): Promise<ClusterUsage> {
  const root = `${profile.workDir}/biomed`;
  const r = await shell.run(['sh', '-c', DU_SCRIPT, 'sh', root], { timeoutMs: 120_000 });
  if (r.code !== 0) {
    return {
      cluster: profile.name,
      workDir: profile.workDir,
      bytes: null,
      error: `measuring ${root} (${shell.where}) failed: ${(r.stderr || r.stdout).trim().slice(0, 300) || `exit ${r.code}`}`,
      bundles: [],
    };
  }
  const { folders, bundles } = parseDu(r.stdout, root);
  const runJobs = store.clusters.allJobs();
  const evalJobs = store.clusters.evaluations.allJobs();
  const list: ClusterBundleUse[] = [...bundles].map(([path, bytes]) => {
    const runs = latestByOwner(runJobs, path);
    const evals = latestByOwner(evalJobs, path);
    const inside: ClusterFolderUse[] = [...folders]
      .filter(([f]) => f.startsWith(`${path}/`))
      .map(([f, b]) => ({
        kind: f.startsWith(`${path}/runs/`) ? 'run' : 'evaluation',
        id: basename(f),
        path: f,
        bytes: b,
      }));
    const id = basename(path);
    const name = id.startsWith('eval-')
      ? (store.evaluations.get(id.slice(5)) && `evaluation ${id.slice(5, 13)}`) || null
      : (store.experiments.get(id)?.name ?? null);
    const why = keepReason(store, path, runs, evals, includeFailed);
    const checkpoints = runs.reduce((n, j) => n + store.checkpoints.list(j.runId).length, 0);
    return {
      path,
      bytes,
      name,
      folders: inside,
      removable: why === null,
      note:
        why ??
        `${runs.length} run(s), ${evals.length} evaluation(s), all ended and ingested${checkpoints > 0 ? `; their ${checkpoints} checkpoint(s) on the cluster go too` : ''}`,
    };
  });
  return {
    cluster: profile.name,
    workDir: profile.workDir,
    bytes: [...bundles.values()].reduce((a, b) => a + b, 0),
    error: null,
    bundles: list,
  };
}

/** How much a cluster profile's work folder holds, per bundle and per run or evaluation folder. */
export function clusterUsage(store: Store, profile: ClusterProfile): Promise<ClusterUsage> {
  return measure(store, profile, clusterShell(profile), false);
}

/**
 * `cluster clean`: the bundles (datasets, task files, logs, run and evaluation folders) on the
 * work folder whose runs and evaluations all ended and were ingested. A dry run lists them;
 * with `confirm` they are removed. A bundle with a job still followed, a paused run, or (unless
 * `includeFailed`) a failed or cancelled run that could be resumed, and any folder this data
 * folder did not make, is kept.
 */
export async function cleanCluster(
  store: Store,
  profile: ClusterProfile,
  opts: { confirm: boolean; includeFailed: boolean },
): Promise<ClusterCleanResult> {
  const shell = clusterShell(profile);
  const usage = await measure(store, profile, shell, opts.includeFailed);
  if (usage.error) throw new Error(usage.error);
  const removable = usage.bundles.filter((b) => b.removable);
  const root = `${profile.workDir}/biomed/`;
  if (opts.confirm) {
    for (const b of removable) {
      if (!b.path.startsWith(root) || b.path.slice(root.length).includes('/') || b.path.includes('..'))
        throw new Error(`refusing to remove ${b.path}: not a bundle of ${root}`);
      const r = await shell.run(['rm', '-rf', '--', b.path], { timeoutMs: 600_000 });
      if (r.code !== 0) throw new Error(`removing ${b.path} (${shell.where}) failed: ${r.stderr.trim()}`);
    }
  }
  return {
    cluster: profile.name,
    dryRun: !opts.confirm,
    removed: removable,
    kept: usage.bundles.filter((b) => !b.removable),
    bytesFreed: removable.reduce((a, b) => a + b.bytes, 0),
  };
}
