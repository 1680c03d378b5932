import { parseArgs } from 'node:util';
import type { CliIO, Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { formatTable } from '#main/cli/table';
import { type ClusterBundleUse, type ClusterCleanResult, ClusterProfile } from '#shared/domain/cluster';

const USAGE = [
  'biomed cluster add NAME --work-dir DIR --checkout DIR [--ssh HOST [--ssh-config FILE]] [--partition P] [--account A]',
  '       [--qos Q] [--gpus N [--gpu-type T]] [--cpus N] [--mem MB] [--time LIMIT] [--prepare CMD]... [--slurm-conf FILE]',
  '       [--accounting auto|sacct|scontrol] [--poll SECONDS]   (add, or replace the profile of that name)',
  '       biomed cluster list [--json]',
  '       biomed cluster test NAME [--json]   (submit a tiny job; report each step)',
  '       biomed cluster remove NAME',
  '       biomed cluster clean NAME [--confirm] [--include-failed] [--json]   (list, then with --confirm remove, the',
  '         bundles and run folders of ended, ingested runs and evaluations on its work folder; reports the bytes freed)',
  '       biomed cluster sync [--wait] [--json]   (follow Slurm and ingest run folders now; --wait: until every job ended)',
  'Without --ssh the local sbatch/squeue/sacct/scancel are used; with it the system ssh (your config and agent).',
  'Send a run or sweep there with `biomed train ... --cluster NAME`.',
].join('\n');

function addProfile(argv: readonly string[]): ClusterProfile {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ssh: { type: 'string' },
      'ssh-config': { type: 'string' },
      partition: { type: 'string' },
      account: { type: 'string' },
      qos: { type: 'string' },
      gpus: { type: 'string' },
      'gpu-type': { type: 'string' },
      cpus: { type: 'string' },
      mem: { type: 'string' },
      time: { type: 'string' },
      'work-dir': { type: 'string' },
      checkout: { type: 'string' },
      prepare: { type: 'string', multiple: true },
      'slurm-conf': { type: 'string' },
      accounting: { type: 'string' },
      poll: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('Give exactly one NAME for the profile');
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const parsed = ClusterProfile.safeParse({
    name: positionals[0],
    access: values.ssh
      ? { kind: 'ssh', host: values.ssh, configFile: values['ssh-config'] ?? null }
      : { kind: 'local' },
    partition: values.partition ?? null,
    account: values.account ?? null,
    qos: values.qos ?? null,
    gpus: num(values.gpus),
    gpuType: values['gpu-type'] ?? null,
    cpus: num(values.cpus),
    memoryMb: num(values.mem),
    timeLimit: values.time,
    workDir: values['work-dir'],
    checkout: values.checkout,
    prepare: values.prepare ?? [],
    slurmConf: values['slurm-conf'] ?? null,
    accounting: values.accounting,
    pollSeconds: num(values.poll),
  });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'profile'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

function describeAccess(p: ClusterProfile): string {
  return p.access.kind === 'ssh'
    ? `ssh ${p.access.host}${p.access.configFile ? ` (-F ${p.access.configFile})` : ''}`
    : 'local';
}

async function run(sub: string | undefined, rest: readonly string[], io: CliIO): Promise<number> {
  if (sub === 'add') {
    const profile = addProfile(rest);
    const ctx = openCliWorkbench(io);
    try {
      await ctx.invoke('clusters.save', profile);
      io.out(
        `cluster profile "${profile.name}" saved (${describeAccess(profile)}); check it with \`biomed cluster test ${profile.name}\`\n`,
      );
      return 0;
    } finally {
      ctx.close();
    }
  }
  const { values, positionals } = parseArgs({
    args: [...rest],
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      wait: { type: 'boolean' },
      confirm: { type: 'boolean' },
      'include-failed': { type: 'boolean' },
    },
  });
  if (sub === 'sync') return sync(io, values.wait ?? false, values.json ?? false);
  const ctx = openCliWorkbench(io);
  try {
    if (sub === 'list') {
      const list = await ctx.invoke('clusters.list', {});
      if (values.json) io.out(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0)
        io.out('No cluster profiles yet. Add one with `biomed cluster add NAME ...`.\n');
      else
        io.out(
          `${formatTable(
            ['name', 'access', 'partition', 'account', 'qos', 'gpus', 'cpus', 'mem', 'time', 'work dir'],
            list.map((p) => [
              p.name,
              describeAccess(p),
              p.partition ?? '-',
              p.account ?? '-',
              p.qos ?? '-',
              String(p.gpus),
              String(p.cpus),
              `${p.memoryMb} MB`,
              p.timeLimit,
              p.workDir,
            ]),
          )}\n`,
        );
      return 0;
    }
    const name = positionals[0];
    if (!name || positionals.length > 1)
      throw new UsageError(`Give exactly one profile NAME to ${sub ?? 'a subcommand'}`);
    if (sub === 'remove') {
      const { removed } = await ctx.invoke('clusters.remove', { name });
      io.out(removed ? `cluster profile "${name}" removed\n` : `no cluster profile named "${name}"\n`);
      return removed ? 0 : 1;
    }
    if (sub === 'clean') {
      const r = await ctx.invoke('clusters.clean', {
        name,
        confirm: values.confirm ?? false,
        includeFailed: values['include-failed'] ?? false,
      });
      if (values.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else io.out(describeClean(r));
      return 0;
    }
    if (sub === 'test') {
      const r = await ctx.invoke('clusters.test', { name });
      if (values.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else {
        for (const s of r.steps)
          io.out(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(12)} ${s.detail} (${s.seconds.toFixed(1)} s)\n`);
        io.out(
          r.ok ? `cluster "${name}" works\n` : `cluster "${name}" failed at "${r.steps.at(-1)?.name}"\n`,
        );
      }
      return r.ok ? 0 : 1;
    }
    throw new UsageError(`Unknown subcommand "${sub ?? ''}"`);
  } finally {
    ctx.close();
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function describeClean(r: ClusterCleanResult): string {
  const line = (b: ClusterBundleUse) =>
    `  ${mb(b.bytes).padStart(10)}  ${b.path}${b.name ? ` (${b.name})` : ''}\n              ${b.note}\n`;
  const verb = r.dryRun ? 'would remove' : 'removed';
  return [
    r.removed.length > 0
      ? `${verb}:\n${r.removed.map(line).join('')}`
      : `nothing to remove on "${r.cluster}"\n`,
    r.kept.length > 0 ? `kept:\n${r.kept.map(line).join('')}` : '',
    `${r.dryRun ? 'would free' : 'freed'} ${mb(r.bytesFreed)} in ${r.removed.length} bundle(s)${r.dryRun && r.removed.length > 0 ? `; run \`biomed cluster clean ${r.cluster} --confirm\` to remove them` : ''}\n`,
  ].join('');
}

/** Catches up with the clusters (what the app does on start) and prints the cluster runs. */
async function sync(io: CliIO, wait: boolean, json: boolean): Promise<number> {
  const ctx = openCliWorkbench(io, 'browser', { runJobs: true });
  try {
    if (!ctx.scheduler.isActive) {
      io.err(
        `Another process (pid ${ctx.scheduler.otherOwner() ?? '?'}) follows this data folder's jobs; it keeps them in sync.\n`,
      );
    }
    await ctx.clusters.poll();
    if (wait) await ctx.clusters.idle();
    const runs = ctx.store.clusters
      .runIds()
      .map((id) => ctx.store.runs.get(id)!)
      .filter((r) => r?.cluster);
    if (json) io.out(`${JSON.stringify(runs, null, 2)}\n`);
    else
      io.out(
        `${formatTable(
          ['run', 'name', 'status', 'cluster', 'job', 'slurm', 'node', 'elapsed', 'step'],
          runs.map((r) => [
            r.id.slice(0, 8),
            r.name,
            r.status,
            r.cluster!.cluster,
            r.cluster!.jobId,
            `${r.cluster!.state}${r.cluster!.reason && r.cluster!.state === 'PENDING' ? ` (${r.cluster!.reason})` : ''}`,
            r.cluster!.node ?? '-',
            r.cluster!.elapsedSeconds === null ? '-' : `${r.cluster!.elapsedSeconds} s`,
            `${r.step}/${r.totalSteps ?? '?'}`,
          ]),
        )}\n`,
      );
    return 0;
  } finally {
    ctx.close();
  }
}

/** `biomed cluster add|list|test|remove|clean|sync`: Slurm cluster profiles and their runs. */
export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Slurm cluster profiles and runs: add, list, test, remove, clean, sync (`biomed cluster --help`)',
  usage: USAGE,
  run: (argv, io) => run(argv[0], argv.slice(1), io),
};
