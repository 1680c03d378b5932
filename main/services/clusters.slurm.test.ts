import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentCreated } from '#shared/api/experiments';
import type { ClusterProfileInput } from '#shared/domain/cluster';
import type { RunSummary } from '#shared/domain/run';
import { dispatch } from './dispatch';
import { QUICK, vqaRadWorkbench, waitUntil } from './job-test-helpers';
import { REPO_ROOT } from './test-workbench';

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
const profile = (over: Partial<ClusterProfileInput>): ClusterProfileInput => ({
  name: 'local',
  access: { kind: 'local' },
  partition: 'debug',
  account: 'biomed-lab',
  qos: 'normal',
  cpus: 1,
  memoryMb: 1500,
  timeLimit: '10',
  workDir: `${env.dir}/cluster-work`,
  checkout: REPO_ROOT,
  prepare: ['export OMP_WAIT_POLICY=passive'],
  pollSeconds: 0.5,
  ...over,
});

beforeAll(async () => {
  env = await vqaRadWorkbench();
  await dispatch(env.ctx, 'clusters.save', profile({}));
});
afterAll(() => env?.dispose());

async function submit(
  cluster: string,
  steps: number,
  extra: Record<string, unknown> = {},
): Promise<RunSummary[]> {
  const created = (await dispatch(env.ctx, 'experiments.create', {
    name: `slurm-${cluster}`,
    task: 'vqa',
    datasets: [{ datasetId: env.datasetId }],
    scale: 'cpu-xs',
    hyperparameters: { ...QUICK, steps, seed: 5 },
    evaluate: { split: null },
    cluster,
    ...extra,
  })) as ExperimentCreated;
  return created.runs;
}

const finalRun = async (id: string, ms = 200_000): Promise<RunSummary> => {
  await waitUntil(
    () => ['succeeded', 'failed', 'cancelled', 'paused'].includes(env.ctx.store.runs.get(id)!.status),
    ms,
    `run ${id} to end`,
  );
  return env.ctx.store.runs.get(id)!;
};

describe('Slurm', () => {
  it('cluster test submits a tiny job and reports each step', async () => {
    const r = (await dispatch(env.ctx, 'clusters.test', { name: 'local' })) as {
      ok: boolean;
      steps: { name: string; ok: boolean; detail: string }[];
    };
    console.info(r.steps.map((s) => `${s.ok ? 'ok  ' : 'FAIL'} ${s.name}: ${s.detail}`).join('\n'));
    expect(r.steps.map((s) => s.name)).toEqual([
      'reach',
      'slurm',
      'partition',
      'work folder',
      'checkout',
      'submit',
      'run',
      'output',
    ]);
    expect(r.ok).toBe(true);
  });

  it('a cpu-xs fine-tune runs as a batch job and is ingested with the metrics of a local run of the same seed', async () => {
    const [run] = await submit('local', 4);
    expect(run!.cluster?.jobId).toMatch(/^\d+$/);
    const done = await finalRun(run!.id);
    console.info(done.error, env.ctx.store.runs.logTail(run!.id));
    expect(done.status).toBe('succeeded');
  });
});
