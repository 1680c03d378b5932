import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CUSTOM_TEST_CONFIG,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import { ingestRunFolder } from '#main/jobs/cluster/ingest';
import { clusterShell } from '#main/jobs/cluster/shell';
import { jobcompJobs, jobcompLocation, squeue } from '#main/jobs/cluster/slurm';
import { ClusterProfile, type ClusterProfileInput } from '#shared/domain/cluster';
import type { RunSummary } from '#shared/domain/run';
import type { ServiceContext } from './context';
import { QUICK, vqaRadWorkbench, waitUntil } from './job-test-helpers';
import { openWorkbench, type Workbench } from './open';
import { REPO_ROOT } from './test-workbench';

// Against the real one-node Slurm that `npm test` starts (scripts/slurm-local.sh): munged,
// slurmctld, slurmd, slurmdbd on MariaDB. Tests run concurrently (the node declares 8 CPUs), so
// the time-limit test's minute overlaps the rest. Tiny cpu-xs runs on real VQA-RAD.

type Env = Awaited<ReturnType<typeof vqaRadWorkbench>>;
let env: Env;
const report: string[] = [];

const profile = (over: Partial<ClusterProfileInput>): ClusterProfileInput => ({
  name: 'local',
  access: { kind: 'local' },
  partition: 'debug',
  account: 'biomed-lab',
  qos: 'normal',
  cpus: 1,
  memoryMb: 1500,
  timeLimit: '10',
  workDir: join(env.dir, 'cluster-work'),
  checkout: REPO_ROOT,
  prepare: ['export OMP_WAIT_POLICY=passive'],
  pollSeconds: 0.5,
  ...over,
});

const delayed = (ms: number) => ['export OMP_WAIT_POLICY=passive', `export BIOMED_TEST_STEP_DELAY_MS=${ms}`];

let sshd: ReturnType<typeof spawn> | undefined;
let sshDir = '';
let sshConfigFile = '';
/** A local sshd on 127.0.0.1 (a high port) with a host key and a user key made here. */
async function startSshd(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-ssh-'));
  sshDir = dir;
  const port = 22000 + Math.floor(Math.random() * 20000);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'user_key')]);
  spawnSync('cp', [join(dir, 'user_key.pub'), join(dir, 'authorized_keys')]);
  mkdirSync('/run/sshd', { recursive: true });
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'ssh_config'),
    [
      'Host biomed-test-cluster',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      `  IdentityFile ${join(dir, 'user_key')}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  const ready = () =>
    spawnSync('ssh', ['-F', join(dir, 'ssh_config'), '-o', 'BatchMode=yes', 'biomed-test-cluster', 'true'])
      .status === 0;
  for (let i = 0; !ready(); i++) {
    if (i > 40) throw new Error('the test sshd did not accept the test key');
    await new Promise((r) => setTimeout(r, 250));
  }
  return join(dir, 'ssh_config');
}

beforeAll(async () => {
  env = await vqaRadWorkbench();
  const sshConfig = await startSshd();
  sshConfigFile = sshConfig;
  for (const p of [
    profile({}),
    profile({ name: 'slow', prepare: delayed(800) }),
    profile({ name: 'short', timeLimit: '1', prepare: delayed(1500) }),
    profile({ name: 'noacct', slurmConf: '/etc/slurm/slurm-noaccounting.conf' }),
    profile({ name: 'gpu', gpus: 1 }),
    profile({ name: 'nogpu', partition: 'cpu', gpus: 1 }),
    profile({ name: 'requeue', prepare: delayed(700) }),
    profile({ name: 'scavenge', qos: 'scavenger', gpus: 2, prepare: delayed(700) }),
    profile({ name: 'lost', lostAfterSeconds: 2 }),
    profile({ name: 'ssh', access: { kind: 'ssh', host: 'biomed-test-cluster', configFile: sshConfig } }),
  ])
    await env.ctx.invoke('clusters.save', p);
});
afterAll(() => {
  sshd?.kill('SIGTERM');
  if (sshDir) rmSync(sshDir, { recursive: true, force: true });
  env?.dispose();
  mkdirSync(join(REPO_ROOT, 'test-results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'test-results', 'slurm-report.txt'), `${report.join('\n')}\n`);
});

async function submit(
  ctx: Workbench,
  datasetId: string,
  cluster: string | undefined,
  steps: number,
  extra: Record<string, unknown> = {},
): Promise<RunSummary[]> {
  const created = await ctx.invoke('experiments.create', {
    name: `slurm-${cluster ?? 'here'}`,
    task: 'vqa',
    datasets: [{ datasetId }],
    scale: 'cpu-xs',
    hyperparameters: { ...QUICK, steps, seed: 5, ...((extra['hyperparameters'] as object) ?? {}) },
    evaluate: (extra['evaluate'] as object) ?? { split: null },
    ...(cluster ? { cluster } : {}),
    ...(extra['sweep'] ? { sweep: extra['sweep'] } : {}),
  });
  return created.runs;
}

const ENDED = ['succeeded', 'failed', 'cancelled', 'paused'];
async function ended(ctx: ServiceContext, id: string, ms = 200_000): Promise<RunSummary> {
  await waitUntil(() => ENDED.includes(ctx.store.runs.get(id)!.status), ms, `run ${id} to end`);
  return ctx.store.runs.get(id)!;
}

const losses = (ctx: ServiceContext, id: string) =>
  ctx.store.metrics.series(id, ['train/loss'])[0]!.points.map((p) => [p.step, p.value]);

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim();

describe.concurrent('on a real Slurm', () => {
  it('cluster test submits a tiny job and reports each step', async () => {
    const r = await env.ctx.invoke('clusters.test', { name: 'local' });
    report.push(
      '## biomed cluster test local',
      ...r.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`),
    );
    expect(r.steps.map((s) => s.name)).toEqual([
      'reach',
      'slurm',
      'partition',
      'work folder',
      'checkout',
      'submit',
      'run',
      'output',
      'backend',
    ]);
    expect(r.ok).toBe(true);
    // No GPU asked for: the node's worker would choose a CPU backend here, and says why not WebGPU.
    expect(r.steps.at(-1)!.detail).toMatch(/^(wasm|tensorflow|cpu) \(no GPU adapter: /);
    expect(r.steps.at(-1)!.detail).not.toMatch(/allocated/);
    // A partition that does not exist fails that step, names it, and stops there.
    await env.ctx.invoke('clusters.save', profile({ name: 'nopart', partition: 'gpu-h100' }));
    const bad = await env.ctx.invoke('clusters.test', { name: 'nopart' });
    expect(bad.ok).toBe(false);
    expect(bad.steps.at(-1)).toMatchObject({ name: 'partition', ok: false });
    expect(bad.steps.at(-1)!.detail).toMatch(/gpu-h100/);
  });

  it('a cpu-xs fine-tune runs as a batch job, is ingested, and has the metrics of a local run of the same seed', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'local', 4, { evaluate: { split: 'test', limit: 4 } });
    expect(run!.cluster).toMatchObject({ cluster: 'local', attempt: 1 });
    expect(run!.cluster!.jobId).toMatch(/^\d+$/);
    const [here] = await submit(env.ctx, env.datasetId, undefined, 4);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.cluster).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', node: sh('hostname', ['-s']) });
    expect(done.cluster!.maxRssBytes).toBeGreaterThan(10_000_000); // sacct's MaxRSS of the batch step
    expect(done.device).toMatch(/on local$/);
    expect(env.ctx.store.checkpoints.latest(run!.id)?.step).toBe(4);
    await env.ctx.scheduler.waitForRun(here!.id);
    expect(env.ctx.store.runs.get(here!.id)!.status).toBe('succeeded');
    const remote = losses(env.ctx, run!.id);
    expect(remote).toHaveLength(4);
    expect(remote).toEqual(losses(env.ctx, here!.id));
    report.push('', '## cluster run vs local run, same seed (train/loss by step)', JSON.stringify(remote));
    // Its test split was decoded by an evaluation job queued behind it (afterok), on the cluster.
    const [ev] = env.ctx.store.evaluations.list({ runId: run!.id });
    const evJob = env.ctx.store.clusters.evaluations.latestJob(ev!.id)!;
    expect(evJob.jobId).toMatch(/^\d+$/);
    await waitUntil(
      () => ['succeeded', 'failed'].includes(env.ctx.store.evaluations.get(ev!.id)!.status),
      150_000,
      'the evaluation job of the cluster run',
    );
    const remoteEv = env.ctx.store.evaluations.get(ev!.id)!;
    expect(remoteEv.status, remoteEv.error ?? '').toBe('succeeded');
    expect(remoteEv.done).toBe(4);
    expect(remoteEv.checkpointStep).toBe(4);
    const dep = sh('sacct', ['-j', evJob.jobId, '-X', '-n', '-P', '-o', 'State']);
    expect(dep).toBe('COMPLETED');
    // The same checkpoint evaluated here gives the same predictions and metrics.
    const local = await env.ctx.invoke('evaluations.create', {
      runId: run!.id,
      datasetId: env.datasetId,
      split: 'test',
      limit: 4,
    });
    await env.ctx.scheduler.waitForEvaluation(local.id);
    const localEv = env.ctx.store.evaluations.get(local.id)!;
    expect(localEv.status, localEv.error ?? '').toBe('succeeded');
    const preds = (id: string) =>
      env.ctx.store.predictions
        .page(id, { offset: 0, limit: 100, onlyWrong: false })
        .predictions.map((p) => [p.exampleId, p.prediction, p.correct]);
    expect(preds(remoteEv.id)).toHaveLength(4);
    expect(preds(remoteEv.id)).toEqual(preds(localEv.id));
    expect(remoteEv.metrics).toEqual(localEv.metrics);
    report.push(
      '',
      `## evaluation job ${evJob.jobId} (after training job ${done.cluster!.jobId}) vs a local evaluation of the same checkpoint`,
      JSON.stringify(preds(remoteEv.id)),
      `metrics cluster ${JSON.stringify(remoteEv.metrics)}`,
      `metrics local   ${JSON.stringify(localEv.metrics)}`,
    );
  });

  it('a 2 x 2 sweep becomes one job array; History shows each task with its job id', async () => {
    const runs = await submit(env.ctx, env.datasetId, 'local', 3, {
      sweep: { lrs: [3e-3, 1e-3], seeds: [1, 2] },
      evaluate: { split: 'test', limit: 3 },
    });
    const evals = runs.map((r) => env.ctx.store.evaluations.list({ runId: r.id })[0]!);
    const evalArray = env.ctx.store.clusters.evaluations.latestJob(evals[0]!.id)!.jobId.split('_')[0]!;
    expect(evals.map((e) => env.ctx.store.clusters.evaluations.latestJob(e.id)!.jobId)).toEqual(
      [0, 1, 2, 3].map((i) => `${evalArray}_${i}`),
    );
    // One submission: the evaluation array waits on the training array.
    expect(sh('scontrol', ['show', 'job', evalArray])).toMatch(
      new RegExp(`Dependency=afterok:${runs[0]!.cluster!.jobId.split('_')[0]}`),
    );
    expect(runs).toHaveLength(4);
    const array = runs[0]!.cluster!.jobId.split('_')[0]!;
    expect(runs.map((r) => r.cluster!.jobId)).toEqual([0, 1, 2, 3].map((i) => `${array}_${i}`));
    const squeueLines: string[] = [];
    await waitUntil(
      () => {
        const out = sh('squeue', [
          '-r',
          '-j',
          `${array},${evalArray}`,
          '-o',
          '%.10i %.9P %.24j %.8T %.10M %.6D %R',
        ]);
        // Keep the fullest snapshot (most tasks listed at once).
        // ... preferring one where the evaluation array waits on its Dependency.
        const waiting = (t: string) => /Dependency/.test(t);
        if (
          out.split('\n').length > squeueLines.length ||
          (waiting(out) && !waiting(squeueLines.join('\n')) && out.split('\n').length >= 6)
        )
          squeueLines.splice(0, squeueLines.length, ...out.split('\n'));
        return (
          runs.every((r) => ENDED.includes(env.ctx.store.runs.get(r.id)!.status)) &&
          evals.every((e) =>
            ['succeeded', 'failed', 'cancelled'].includes(env.ctx.store.evaluations.get(e.id)!.status),
          )
        );
      },
      220_000,
      'the sweep and its evaluations',
    );
    const done = runs.map((r) => env.ctx.store.runs.get(r.id)!);
    expect(done.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const page = await env.ctx.invoke('runs.list', {
      experimentId: runs[0]!.experimentId,
      sort: 'name',
      order: 'asc',
    });
    report.push(
      '',
      `## sweep: squeue -r -j ${array},${evalArray} (training array, evaluation array; the fullest snapshot while it ran)`,
      ...squeueLines,
      '',
      `## sweep: sacct -j ${array},${evalArray} -X`,
      sh('sacct', [
        '-j',
        `${array},${evalArray}`,
        '-X',
        '-o',
        'JobID,JobName%20,Partition,Account,State,ExitCode,Elapsed,NodeList',
      ]),
      '',
      '## sweep: History (runs.list of the experiment)',
      ...page.runs.map(
        (r) =>
          `${r.name.padEnd(44)} ${r.status.padEnd(10)} ${r.cluster!.cluster}:${r.cluster!.jobId.padEnd(6)} ${r.cluster!.state.padEnd(10)} node ${r.cluster!.node} ${r.cluster!.elapsedSeconds} s  step ${r.step}/${r.totalSteps}`,
      ),
    );
    const evalsDone = evals.map((e) => env.ctx.store.evaluations.get(e.id)!);
    expect(evalsDone.map((e) => e.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const compared = await env.ctx.invoke('evaluations.compare', { ids: evalsDone.map((e) => e.id) });
    report.push(
      '',
      '## sweep: Compare of its four test evaluations (evaluations.compare)',
      ...compared.evaluations.map(
        (e) =>
          `${(e.runName ?? '').padEnd(44)} ${e.split} n=${Object.values(e.metrics)[0]?.n ?? '?'} ${Object.entries(
            e.metrics,
          )
            .filter(([, m]) => m.estimate !== null && m.estimate !== undefined)
            .map(
              ([k, m]) =>
                `${k} ${m.estimate?.toFixed(3)} [${m.low?.toFixed(3)}, ${m.high?.toFixed(3)}] n=${m.n}`,
            )
            .join('; ')}`,
      ),
    );
    expect(compared.evaluations).toHaveLength(4);
    for (const r of done) expect(losses(env.ctx, r.id)).toHaveLength(3);
    // Different seeds and learning rates really ran different runs.
    expect(new Set(done.map((r) => losses(env.ctx, r.id)[2]![1])).size).toBe(4);
  });

  it('scancel of a running job ends the run cancelled with Slurm reason', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'slow', 200);
    await waitUntil(() => env.ctx.store.runs.get(run!.id)!.step >= 2, 150_000, 'the slow run to step');
    expect(env.ctx.store.runs.get(run!.id)!.status).toBe('running');
    await env.ctx.invoke('runs.cancel', { id: run!.id });
    const done = await ended(env.ctx, run!.id);
    expect(done.status).toBe('cancelled');
    expect(done.cluster?.state).toBe('CANCELLED');
    expect(done.error).toMatch(/CANCELLED/);
    expect(done.step).toBeLessThan(200);
  });

  // A minute to the time limit, the resumed rest, then its evaluation: longer than the default.
  it('a job past its time limit ends failed with TIMEOUT and resumes from its checkpoint when resubmitted', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'short', 60, {
      hyperparameters: { checkpointEvery: 4 },
      evaluate: { split: 'test', limit: 2 },
    });
    const [ev] = env.ctx.store.evaluations.list({ runId: run!.id });
    const firstEvalJob = env.ctx.store.clusters.evaluations.latestJob(ev!.id)!.jobId;
    const failed = await ended(env.ctx, run!.id, 200_000);
    expect(failed.status).toBe('failed');
    expect(failed.cluster?.state).toBe('TIMEOUT');
    expect(failed.error).toMatch(/TIMEOUT.*time limit.*--time=1/);
    const checkpoint = env.ctx.store.checkpoints.latest(run!.id)!.step;
    expect(checkpoint).toBeGreaterThanOrEqual(4);
    expect(failed.error).toContain(`checkpoint at step ${checkpoint}`);
    report.push('', '## time limit', `run ${run!.id}: ${failed.error}`);
    // The user raises the time limit (and the test drops its slow-down), then resumes.
    await env.ctx.invoke('clusters.save', profile({ name: 'short', timeLimit: '10' }));
    const resumed = await env.ctx.invoke('runs.resume', { id: run!.id });
    expect(resumed.status).toBe('queued');
    expect(resumed.cluster?.attempt).toBe(2);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(env.ctx.store.runs.logTail(run!.id)).toMatch(new RegExp(`resuming at step ${checkpoint} from`));
    const steps = losses(env.ctx, run!.id).map(([s]) => s);
    expect(steps).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    // Slurm cancelled its evaluation with the timed-out job; the resubmission queued it again.
    const evJob = env.ctx.store.clusters.evaluations.latestJob(ev!.id)!;
    expect(evJob.attempt).toBe(2);
    expect(evJob.jobId).not.toBe(firstEvalJob);
    await waitUntil(
      () => ['succeeded', 'failed'].includes(env.ctx.store.evaluations.get(ev!.id)!.status),
      150_000,
      'the requeued evaluation',
    );
    const evDone = env.ctx.store.evaluations.get(ev!.id)!;
    expect(evDone.status, evDone.error ?? '').toBe('succeeded');
    expect(evDone).toMatchObject({ done: 2, checkpointStep: 60 });
    const first = sh('sacct', ['-j', firstEvalJob, '-X', '-n', '-P', '-o', 'State,Reason']);
    report.push(
      '',
      '## evaluation requeued after the resubmitted run',
      `first evaluation job ${firstEvalJob}: ${first}; second ${evJob.jobId}: ${evJob.state}`,
    );
  }, 360_000);

  it('a cluster without accounting is followed through scontrol and the job-completion log', async () => {
    const p = ClusterProfile.parse(
      profile({ name: 'noacct', slurmConf: '/etc/slurm/slurm-noaccounting.conf' }),
    );
    const shell = clusterShell(p);
    const sacct = await shell.run(['sacct', '-n']);
    expect(sacct.stderr + sacct.stdout).toMatch(/accounting storage is disabled/i);
    const [run] = await submit(env.ctx, env.datasetId, 'noacct', 2);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.cluster).toMatchObject({ state: 'COMPLETED', exitCode: '0:0', maxRssBytes: null });
    const log = await jobcompLocation(shell);
    expect(log).toMatch(/jobcomp/);
    const fromLog = (await jobcompJobs(shell, log!)).get(done.cluster!.jobId);
    expect(fromLog).toMatchObject({ state: 'COMPLETED', exitCode: '0:0' });
  });

  it('catches up on reopen without duplicates; ingesting again stores nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-reopen-'));
    const first = await vqaRadWorkbench(dir);
    await first.ctx.invoke(
      'clusters.save',
      profile({ name: 'slow', workDir: join(dir, 'work'), prepare: delayed(400) }),
    );
    const [run] = await submit(first.ctx, first.datasetId, 'slow', 16, {
      hyperparameters: { checkpointEvery: 4 },
    });
    await waitUntil(() => first.ctx.store.metrics.count(run!.id) > 0, 150_000, 'first metrics');
    const seenBefore = first.ctx.store.runs.get(run!.id)!.step;
    first.ctx.close();
    const jobId = run!.cluster!.jobId;
    const shell = clusterShell(ClusterProfile.parse(profile({ workDir: join(dir, 'work') })));
    for (;;) {
      if (!(await squeue(shell)).has(jobId)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const again = openWorkbench(dir, 'browser', { runJobs: true });
    try {
      expect(again.store.runs.get(run!.id)!.status).not.toBe('interrupted');
      const done = await ended(again, run!.id);
      expect(done.status, done.error ?? '').toBe('succeeded');
      expect(seenBefore).toBeLessThan(16);
      const steps = losses(again, run!.id).map(([s]) => s);
      expect(steps).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      const metricsRows = again.store.metrics.count(run!.id);
      const checkpoints = again.store.checkpoints.list(run!.id).length;
      // A second pass over the same folder finds nothing new.
      const job = again.store.clusters.latestJob(run!.id)!;
      const second = await ingestRunFolder(again.store, shell, job);
      expect(second.records).toBe(0);
      // A half-written line appended to the events file is not ingested.
      const events = join(job.runDir, 'events');
      const file = readdirSync(events)[0]!;
      appendFileSync(
        join(events, file),
        '{"seq":999,"t":1,"msg":{"type":"metrics","v":1,"points":[{"name":"train/loss","step":99',
      );
      const third = await ingestRunFolder(again.store, shell, job);
      expect(third.records).toBe(0);
      expect(again.store.metrics.count(run!.id)).toBe(metricsRows);
      expect(again.store.checkpoints.list(run!.id)).toHaveLength(checkpoints);
      report.push(
        '',
        '## reopen',
        `closed at step ${seenBefore}; after reopen: ${steps.length} loss rows, ${checkpoints} checkpoints, second ingest ${second.records} records`,
      );
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cluster test and a run go through the system ssh with a key made by the test', async () => {
    const r = await env.ctx.invoke('clusters.test', { name: 'ssh' });
    report.push(
      '',
      '## biomed cluster test ssh',
      ...r.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`),
    );
    expect(r.steps[0]!.detail).toMatch(/^ssh biomed-test-cluster/);
    expect(r.ok, JSON.stringify(r.steps)).toBe(true);
    const [run] = await submit(env.ctx, env.datasetId, 'ssh', 2);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done.cluster).toMatchObject({ cluster: 'ssh', state: 'COMPLETED' });
    expect(losses(env.ctx, run!.id)).toHaveLength(2);
  });

  it('--gres=gpu:1 is scheduled on the node that declares GPUs and refused clearly where the partition has none', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'gpu', 2);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    // slurmctld still holds the ended job (MinJobAge): what it allocated, GPUs included.
    const shown = sh('scontrol', ['show', 'job', '-d', done.cluster!.jobId]);
    const gres = shown.match(/(?:TresPerNode|JOB_GRES)=\S+/g) ?? [];
    expect(gres.join(' ')).toMatch(/gpu:1/);
    report.push(
      '',
      '## --gres=gpu:1',
      `job ${done.cluster!.jobId} on ${done.cluster!.node}: ${gres.join(' ')}`,
    );
    const refused = await submit(env.ctx, env.datasetId, 'nogpu', 2).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/1 GPU\(s\).*partition "cpu" has no node with GPUs/);
    report.push(`refused: ${(refused as Error).message}`);
  });

  it('scontrol requeue mid-run resumes from the last checkpoint with one loss row per step', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'requeue', 14, {
      hyperparameters: { checkpointEvery: 3 },
    });
    await waitUntil(() => env.ctx.store.runs.get(run!.id)!.step >= 4, 150_000, 'the run to step 4');
    const r = spawnSync('scontrol', ['requeue', run!.cluster!.jobId], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(env.ctx.store.runs.logTail(run!.id)).toMatch(/resuming at step \d+ from/);
    expect(losses(env.ctx, run!.id).map(([st]) => st)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    const files = (await env.ctx.clusters.runFiles(run!.id)).join(' ');
    report.push('', '## scontrol requeue', `run folder: ${files}`);
  });

  it('a preempted job (PreemptMode=REQUEUE) resumes from its checkpoint; cluster test of a GPU profile names the missing ICD', async () => {
    const [run] = await submit(env.ctx, env.datasetId, 'scavenge', 14, {
      hyperparameters: { checkpointEvery: 3 },
    });
    await waitUntil(() => env.ctx.store.runs.get(run!.id)!.step >= 4, 150_000, 'the scavenger run to step 4');
    const urgent = sh('sbatch', [
      '--parsable',
      '--qos=urgent',
      '--gres=gpu:2',
      '--mem=100M',
      '--job-name=urgent',
      '--output=/dev/null',
      '--wrap',
      'sleep 2',
    ]);
    expect(urgent).toMatch(/^\d+$/);
    const done = await ended(env.ctx, run!.id);
    expect(done.status, done.error ?? '').toBe('succeeded');
    const history = sh('sacct', ['-j', done.cluster!.jobId, '-X', '-D', '-n', '-P', '-o', 'JobID,State']);
    expect(history).toMatch(/PREEMPTED/);
    expect(losses(env.ctx, run!.id).map(([st]) => st)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    report.push(
      '',
      `## preemption by job ${urgent} (qos urgent)`,
      `sacct -D: ${history.replace(/\n/g, '; ')}`,
    );
    // Only now (a pending GPU job ahead of the urgent one would hold back the preemption):
    // `cluster test` of the GPU profile; Slurm hands the probe a GPU, the node has no NVIDIA ICD.
    const probe = await env.ctx.invoke('clusters.test', { name: 'gpu' });
    const backend = probe.steps.find((st) => st.name === 'backend');
    expect(probe.ok, JSON.stringify(probe.steps)).toBe(true);
    expect(backend!.detail).toMatch(/Slurm allocated GPU\(s\) \S+ but no NVIDIA Vulkan ICD/);
    expect(backend!.detail).toMatch(/(wasm|tensorflow|cpu) is used instead\)$/);
    report.push('', '## cluster test gpu (gpus: 1), its backend step', backend!.detail);
  });

  it('a job Slurm never reports ends after the grace time with that reason', async () => {
    const { store } = env.ctx;
    const [exp] = [store.experiments.insert({ name: 'lost', kind: 'finetune', config: {} })];
    const run = store.runs.insert({
      experimentId: exp!.id,
      name: 'lost run',
      scale: 'cpu-xs',
      task: 'vqa',
      datasetId: env.datasetId,
      params: null,
      totalSteps: 2,
      config: {},
    });
    store.clusters.addJob({
      runId: run.id,
      cluster: 'lost',
      profile: ClusterProfile.parse(profile({ name: 'lost', lostAfterSeconds: 2 })),
      jobId: '987654',
      taskIndex: 0,
      bundleDir: join(env.dir, 'nowhere'),
      runDir: join(env.dir, 'nowhere', 'runs', run.id),
    });
    env.ctx.clusters.start();
    const done = await ended(env.ctx, run.id, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/job 987654.*nowhere.*2 s/);
    report.push('', '## purged job', done.error!);
  });

  it('a zero-shot evaluation of imported weights runs on the cluster', async () => {
    requireTorch();
    const src = join(env.dir, 'published');
    mkdirSync(src, { recursive: true });
    writeCheckpoints(src, [
      {
        config: CUSTOM_TEST_CONFIG,
        files: [{ path: join(src, 'model.safetensors'), layout: 'hf-safetensors', dtype: 'fp32' }],
      },
    ]);
    writeDict(join(src, 'dict.txt'), 20);
    const imported = await env.ctx.invoke('weights.import', {
      path: join(src, 'model.safetensors'),
      name: 'pub',
    });
    expect(imported.ok).toBe(true);
    const ev = await env.ctx.invoke('evaluations.create', {
      weightsId: imported.record!.id,
      datasetId: env.datasetId,
      split: 'test',
      limit: 3,
      decoding: { strategy: 'greedy', maxLength: 4 },
      cluster: 'local',
    });
    const job = env.ctx.store.clusters.evaluations.latestJob(ev.id)!;
    expect(job.jobId).toMatch(/^\d+$/);
    await waitUntil(
      () => ['succeeded', 'failed'].includes(env.ctx.store.evaluations.get(ev.id)!.status),
      150_000,
      'the zero-shot evaluation job',
    );
    const done = env.ctx.store.evaluations.get(ev.id)!;
    expect(done.status, done.error ?? '').toBe('succeeded');
    expect(done).toMatchObject({ mode: 'zeroshot', weightsId: imported.record!.id, done: 3 });
    expect(env.ctx.store.predictions.page(ev.id, { offset: 0, limit: 10, onlyWrong: false }).total).toBe(3);
    report.push('', `## zero-shot of imported weights, job ${job.jobId}`, JSON.stringify(done.metrics));
  });

  it('cluster clean over ssh lists, then removes, only the ended and ingested bundles; History measures the work folder', async () => {
    // A work folder of its own, so no other test's folders go; everything goes through ssh.
    const tidy = profile({
      name: 'tidy',
      workDir: join(env.dir, 'tidy-work'),
      access: { kind: 'ssh', host: 'biomed-test-cluster', configFile: sshConfigFile },
    });
    await env.ctx.invoke('clusters.save', tidy);
    const [run] = await submit(env.ctx, env.datasetId, 'tidy', 2, { evaluate: { split: 'test', limit: 2 } });
    const [ev] = env.ctx.store.evaluations.list({ runId: run!.id });
    const bundleDir = env.ctx.store.clusters.latestJob(run!.id)!.bundleDir;
    // While its jobs are followed the bundle is kept, with the reason.
    const early = await env.ctx.invoke('clusters.clean', { name: 'tidy' });
    expect(early.removed).toEqual([]);
    expect(early.kept.find((b) => b.path === bundleDir)!.note).toMatch(/still followed/);
    await ended(env.ctx, run!.id);
    await waitUntil(
      () => ['succeeded', 'failed'].includes(env.ctx.store.evaluations.get(ev!.id)!.status),
      150_000,
      'the evaluation of the run to clean',
    );
    expect(env.ctx.store.evaluations.get(ev!.id)!.status).toBe('succeeded');
    const { clusters } = await env.ctx.invoke('clusters.usage', { name: 'tidy' });
    const bundle = clusters[0]!.bundles.find((b) => b.path === bundleDir)!;
    expect(clusters[0]).toMatchObject({ cluster: 'tidy', error: null });
    expect(bundle.bytes).toBeGreaterThan(100_000); // the datasets, checkpoints, task files
    expect(bundle.folders.map((f) => [f.kind, f.id]).sort()).toEqual(
      [
        ['evaluation', ev!.id],
        ['run', run!.id],
      ].sort(),
    );
    // The CLI's dry run (the default) lists it and removes nothing.
    // The CLI as a user runs it (a process of its own on the same data folder).
    const cli = (args: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'main/cli/index.ts', 'cluster', 'clean', 'tidy', ...args],
          { cwd: REPO_ROOT, env: { ...process.env, BIOMED_HOME: env.dir } },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
      });
    const dry = await cli([]);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toContain(`would remove:`);
    expect(dry.out).toContain(bundleDir);
    expect(dry.out).toMatch(/would free [\d.]+ MB in 1 bundle\(s\)/);
    expect(existsSync(bundleDir)).toBe(true);
    const wet = JSON.parse((await cli(['--confirm', '--json'])).out) as {
      dryRun: boolean;
      bytesFreed: number;
      removed: { path: string }[];
    };
    expect(wet).toMatchObject({ dryRun: false, bytesFreed: bundle.bytes });
    expect(wet.removed.map((b) => b.path)).toEqual([bundleDir]);
    expect(existsSync(bundleDir)).toBe(false);
    const after = await env.ctx.invoke('clusters.usage', { name: 'tidy' });
    expect(after.clusters[0]!.bundles).toEqual([]);
    // What was ingested stays in the data folder.
    expect(losses(env.ctx, run!.id)).toHaveLength(2);
    expect(env.ctx.store.predictions.page(ev!.id, { offset: 0, limit: 10, onlyWrong: false }).total).toBe(2);
    report.push(
      '',
      '## biomed cluster clean tidy (dry run, then --confirm)',
      dry.out.trimEnd(),
      `--confirm freed ${wet.bytesFreed} bytes`,
    );
  });

  it('catches up on reopen while an evaluation job runs: each prediction once, metrics as a local evaluation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-reopen-eval-'));
    const first = await vqaRadWorkbench(dir);
    const work = join(dir, 'work');
    await first.ctx.invoke('clusters.save', profile({ name: 'fast', workDir: work }));
    await first.ctx.invoke(
      'clusters.save',
      profile({ name: 'evslow', workDir: work, prepare: delayed(2500) }),
    );
    const [run] = await submit(first.ctx, first.datasetId, 'fast', 2);
    expect((await ended(first.ctx, run!.id)).status).toBe('succeeded');
    // Beam search decodes 8 examples a batch: 3 batches, each after the test's delay.
    const spec = {
      runId: run!.id,
      datasetId: first.datasetId,
      split: 'test' as const,
      limit: 24,
      decoding: { strategy: 'beam' as const, beam: 2, maxLength: 4 },
    };
    const ev = await first.ctx.invoke('evaluations.create', { ...spec, cluster: 'evslow' });
    const count = (ctx: ServiceContext) =>
      ctx.store.predictions.page(ev.id, { offset: 0, limit: 100, onlyWrong: false }).total;
    await waitUntil(() => count(first.ctx) > 0, 150_000, 'the first predictions');
    const seen = count(first.ctx);
    const evJob = first.ctx.store.clusters.evaluations.latestJob(ev.id)!.jobId;
    first.ctx.close();
    const shell = clusterShell(ClusterProfile.parse(profile({ workDir: work })));
    while ((await squeue(shell)).has(evJob)) await new Promise((r) => setTimeout(r, 500));
    const again = openWorkbench(dir, 'browser', { runJobs: true });
    try {
      await waitUntil(
        () => ['succeeded', 'failed'].includes(again.store.evaluations.get(ev.id)!.status),
        60_000,
        'the evaluation after reopen',
      );
      const done = again.store.evaluations.get(ev.id)!;
      expect(done.status, done.error ?? '').toBe('succeeded');
      const rows = again.store.predictions.page(ev.id, {
        offset: 0,
        limit: 100,
        onlyWrong: false,
      }).predictions;
      expect(seen).toBeLessThan(24);
      expect(rows).toHaveLength(24);
      expect(new Set(rows.map((p) => p.exampleId)).size).toBe(24);
      expect(done.done).toBe(24);
      const local = await again.invoke('evaluations.create', spec);
      await again.scheduler.waitForEvaluation(local.id);
      const localEv = again.store.evaluations.get(local.id)!;
      expect(localEv.status, localEv.error ?? '').toBe('succeeded');
      const preds = (id: string) =>
        again.store.predictions
          .page(id, { offset: 0, limit: 100, onlyWrong: false })
          .predictions.map((p) => [p.exampleId, p.prediction, p.correct]);
      expect(preds(ev.id)).toEqual(preds(local.id));
      expect(done.metrics).toEqual(localEv.metrics);
      report.push(
        '',
        '## reopen while an evaluation job runs',
        `closed with ${seen} of 24 predictions ingested (job ${evJob}); after reopen ${rows.length} rows, ${new Set(rows.map((p) => p.exampleId)).size} distinct examples; metrics equal a local evaluation: ${JSON.stringify(done.metrics)}`,
      );
    } finally {
      again.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
