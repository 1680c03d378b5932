import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportDatasets } from '#db/dataset-export';
import type { Store } from '#db/store';
import type { EvaluateJob, TrainJob } from '#main/jobs/protocol';
import type { ClusterProfile } from '#shared/domain/cluster';
import type { ClusterEvalTask } from './eval-task';
import { type ClusterShell, shellQuote } from './shell';

/** Where an experiment's bundle lives on the cluster's shared folder. */
export function bundleDirOf(profile: ClusterProfile, experimentId: string): string {
  return join(profile.workDir, 'biomed', experimentId);
}

/** The job script: prepare the node, then exec the worker (so Slurm's signals reach it). */
export function jobScript(
  profile: ClusterProfile,
  bundleDir: string,
  name: string,
  kind: 'train' | 'eval' = 'train',
): string {
  const q = shellQuote;
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=${q(`biomed-${name}`.replace(/[^\w.-]/g, '_').slice(0, 60))}`,
    `#SBATCH --chdir=${q(bundleDir)}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --requeue',
    kind === 'train'
      ? '# Written by Biomed Workbench. Each array task (or the single task 0) trains one run.'
      : '# Written by Biomed Workbench. Each array task (or the single task 0) decodes one evaluation.',
    'set -e',
    ...profile.prepare,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell variable of the job script
    'TASK="${SLURM_ARRAY_TASK_ID:-0}"',
    `cd ${q(profile.checkout)}`,
    `echo "biomed: task $TASK of job \${SLURM_JOB_ID:-?} on $(hostname) in ${profile.checkout}"`,
    'if [ -f build/main/node-worker.js ]; then',
    `  exec node build/main/node-worker.js ${q(bundleDir)} "$TASK" ${kind}`,
    'else',
    `  exec node --import tsx main/jobs/cluster/node-worker.ts ${q(bundleDir)} "$TASK" ${kind}`,
    'fi',
    '',
  ].join('\n');
}

/** One evaluation of a bundle: the job a local worker would get, and the run it waits for. */
export interface BundleEval {
  readonly evaluationId: string;
  readonly spec: EvaluateJob;
  /** The id of a run of the same bundle whose final checkpoint it decodes (queued after it). */
  readonly afterRunId: string | null;
}

/** One run of a bundle: its id and the job a local worker would get. */
export interface BundleRun {
  readonly runId: string;
  readonly spec: TrainJob;
}

function tarInto(shell: ClusterShell, localDir: string, remoteDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', localDir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let err = '';
    tar.stdout.on('data', (c: Buffer) => chunks.push(c));
    tar.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    tar.on('error', reject);
    tar.on('close', (code) => {
      if (code !== 0) return reject(new Error(`tar of the bundle failed: ${err.trim()}`));
      void shell
        .run(['sh', '-c', 'mkdir -p "$1" && tar -C "$1" -xf -', 'sh', remoteDir], {
          stdin: Buffer.concat(chunks),
          timeoutMs: 600_000,
        })
        .then((r) =>
          r.code === 0
            ? resolve()
            : reject(
                new Error(`writing the bundle to ${remoteDir} (${shell.where}) failed: ${r.stderr.trim()}`),
              ),
        );
    });
  });
}

/**
 * Writes an experiment's bundle to the shared folder: the datasets its runs read (a store of
 * their own plus the images they use), their initial weights, one task file per run (the
 * worker's job with cluster paths) and the job script. Built in a local temporary folder and
 * copied in one `tar` stream, so a bundle on the cluster is never half there when a job starts.
 */
export async function writeBundle(opts: {
  store: Store;
  blobsDir: string;
  profile: ClusterProfile;
  shell: ClusterShell;
  experimentId: string;
  name: string;
  runs: readonly BundleRun[];
  evaluations?: readonly BundleEval[];
}): Promise<{
  bundleDir: string;
  script: string;
  evalScript: string;
  runDirs: string[];
  evalDirs: string[];
}> {
  const { profile, runs } = opts;
  const evaluations = opts.evaluations ?? [];
  const bundleDir = bundleDirOf(profile, opts.experimentId);
  const stage = mkdtempSync(join(tmpdir(), 'bw-bundle-'));
  try {
    const datasetIds = [
      ...runs.flatMap((r) => r.spec.mixture.map((m) => m.datasetId)),
      ...evaluations.map((e) => e.spec.datasetId),
    ];
    exportDatasets(
      opts.store,
      opts.blobsDir,
      datasetIds,
      join(stage, 'data', 'store.sqlite'),
      join(stage, 'data', 'blobs'),
    );
    const inits = new Map<string, string>();
    // Local weights travel in the bundle; a path only the cluster sees is used as it is.
    const travel = (path: string): string => {
      if (!existsSync(path) || path.startsWith(`${profile.workDir}/`)) return path;
      if (!inits.has(path)) {
        const name = `init-${inits.size}`;
        cpSync(path, join(stage, 'init', name), { recursive: true });
        inits.set(path, join(bundleDir, 'init', name));
      }
      return inits.get(path)!;
    };
    mkdirSync(join(stage, 'tasks'), { recursive: true });
    mkdirSync(join(stage, 'logs'), { recursive: true });
    const runDirs = runs.map((run, i) => {
      const init = run.spec.initCheckpoint ? travel(run.spec.initCheckpoint) : null;
      const runDir = join(bundleDir, 'runs', run.runId);
      mkdirSync(join(stage, 'runs', run.runId, 'events'), { recursive: true });
      const task: TrainJob = {
        ...run.spec,
        dbFile: join(bundleDir, 'data', 'store.sqlite'),
        blobsDir: join(bundleDir, 'data', 'blobs'),
        runDir,
        initCheckpoint: init,
        resumeCheckpoint: null,
      };
      writeFileSync(join(stage, 'tasks', `${i}.json`), `${JSON.stringify(task, null, 2)}\n`);
      return runDir;
    });
    if (evaluations.length > 0) mkdirSync(join(stage, 'eval-tasks'), { recursive: true });
    const evalDirs = evaluations.map((ev, i) => {
      const evalDir = join(bundleDir, 'evals', ev.evaluationId);
      mkdirSync(join(stage, 'evals', ev.evaluationId, 'events'), { recursive: true });
      const after = ev.afterRunId === null ? -1 : runs.findIndex((r) => r.runId === ev.afterRunId);
      const task: ClusterEvalTask = {
        ...ev.spec,
        dbFile: join(bundleDir, 'data', 'store.sqlite'),
        blobsDir: join(bundleDir, 'data', 'blobs'),
        checkpointPath: after >= 0 ? join(runDirs[after]!, 'checkpoints') : travel(ev.spec.checkpointPath),
        evalDir,
        checkpointRunDir: after >= 0 ? runDirs[after]! : null,
      };
      writeFileSync(join(stage, 'eval-tasks', `${i}.json`), `${JSON.stringify(task, null, 2)}\n`);
      return evalDir;
    });
    writeFileSync(join(stage, 'job.sh'), jobScript(profile, bundleDir, opts.name), { mode: 0o755 });
    if (evaluations.length > 0)
      writeFileSync(join(stage, 'eval.sh'), jobScript(profile, bundleDir, `eval-${opts.name}`, 'eval'), {
        mode: 0o755,
      });
    await tarInto(opts.shell, stage, bundleDir);
    return {
      bundleDir,
      script: join(bundleDir, 'job.sh'),
      evalScript: join(bundleDir, 'eval.sh'),
      runDirs,
      evalDirs,
    };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
