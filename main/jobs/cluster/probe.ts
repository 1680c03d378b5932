import type { ClusterCheckStep, ClusterProfile, SlurmJobInfo } from '#shared/domain/cluster';
import type { NodeBackendReport } from './node-backend';
import { clusterShell, readFrom, shellQuote } from './shell';
import { isFinalState, jobcompJobs, jobcompLocation, sacct, sbatch, scontrolJobs, squeue } from './slurm';

class StepFailed extends Error {}

const BACKEND_MARK = 'biomed-backend: ';

/**
 * `cluster test`: reaches the cluster, checks Slurm, the partition, the shared folder and the
 * checkout, submits a tiny job with the profile's options (running its node-preparation lines
 * and `node --version` where the worker would run, then the worker's backend choice), follows it
 * to its end and reads its output: the last step names the backend and adapter the node's worker
 * would use, or why it has no GPU one (no Vulkan loader, no NVIDIA ICD where Slurm gave a GPU).
 * Every step is reported, the failed one with what the cluster said; later steps are skipped.
 */
export async function probeCluster(
  profile: ClusterProfile,
  options: { timeoutMs?: number } = {},
): Promise<{ ok: boolean; steps: ClusterCheckStep[] }> {
  const shell = clusterShell(profile);
  const steps: ClusterCheckStep[] = [];
  const step = async (name: string, f: () => Promise<string>): Promise<void> => {
    const t0 = Date.now();
    try {
      const detail = await f();
      steps.push({ name, ok: true, detail, seconds: (Date.now() - t0) / 1000 });
    } catch (err) {
      steps.push({ name, ok: false, detail: (err as Error).message, seconds: (Date.now() - t0) / 1000 });
      throw new StepFailed();
    }
  };
  const must = async (argv: string[], what: string): Promise<string> => {
    const r = await shell.run(argv);
    if (r.code !== 0)
      throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 500)}`);
    return r.stdout.trim();
  };
  const dir = `${profile.workDir}/biomed/.probe-${Date.now().toString(36)}`;
  try {
    await step('reach', async () => `${shell.where}: host ${await must(['hostname'], 'hostname')}`);
    await step('slurm', async () => await must(['sinfo', '--version'], 'sinfo --version'));
    await step('partition', async () => {
      const out = await must(
        ['sinfo', '-h', ...(profile.partition ? ['-p', profile.partition] : []), '-o', '%P %a %D %T'],
        'sinfo',
      );
      if (!out) throw new Error(`partition "${profile.partition}" does not exist on this cluster`);
      return out.split('\n').join('; ');
    });
    await step('work folder', async () => {
      await must(
        ['sh', '-c', 'mkdir -p "$1" && echo probe > "$1/write-test" && cat "$1/write-test"', 'sh', dir],
        `writing in ${profile.workDir}`,
      );
      return `${profile.workDir} is writable`;
    });
    await step('checkout', async () => {
      const r = await shell.run([
        'sh',
        '-c',
        'test -f "$1/build/main/node-worker.js" || test -f "$1/main/jobs/cluster/node-worker.ts"',
        'sh',
        profile.checkout,
      ]);
      if (r.code !== 0)
        throw new Error(
          `${profile.checkout} holds no workbench checkout (no build/main/node-worker.js or main/jobs/cluster/node-worker.ts)`,
        );
      return `${profile.checkout} has the worker`;
    });
    let jobId = '';
    await step('submit', async () => {
      const script = [
        '#!/bin/bash',
        'set -e',
        ...profile.prepare,
        `cd ${shellQuote(profile.checkout)}`,
        'echo "node $(node --version) on $(hostname)"',
        'echo biomed-probe-ok',
        // The backend the worker would choose here, and why not a GPU one (node-probe.ts).
        'if [ -f build/main/node-probe.js ]; then node build/main/node-probe.js || true',
        'else node --import tsx main/jobs/cluster/node-probe.ts || true; fi',
        '',
      ].join('\n');
      const r = await shell.run(['sh', '-c', 'cat > "$1/probe.sh" && chmod +x "$1/probe.sh"', 'sh', dir], {
        stdin: script,
      });
      if (r.code !== 0) throw new Error(`writing the probe script failed: ${r.stderr.trim()}`);
      jobId = await sbatch(shell, profile, `${dir}/probe.sh`, [
        '--job-name=biomed-probe',
        `--output=${dir}/out.txt`,
        `--chdir=${dir}`,
      ]);
      return `job ${jobId} (${[profile.partition, profile.account, profile.qos].filter(Boolean).join(', ') || 'default partition'})`;
    });
    let final: SlurmJobInfo | undefined;
    let output = '';
    let how = '';
    await step('run', async () => {
      const deadline = Date.now() + (options.timeoutMs ?? 180_000);
      let last = '';
      for (;;) {
        const live = (await squeue(shell)).get(jobId);
        if (live) last = `${live.state}${live.reason ? ` (${live.reason})` : ''}`;
        else {
          const acct = profile.accounting === 'scontrol' ? null : await sacct(shell, [jobId]);
          final = acct?.get(jobId);
          how = acct ? 'sacct' : 'scontrol';
          if (!acct) {
            final = (await scontrolJobs(shell, [jobId])).get(jobId);
            const log = final ? null : await jobcompLocation(shell);
            if (log) {
              final = (await jobcompJobs(shell, log)).get(jobId);
              how = 'the job-completion log';
            }
          }
          if (final && isFinalState(final.state)) break;
        }
        if (Date.now() > deadline)
          throw new Error(`job ${jobId} did not end in time; last seen ${last || 'nowhere'}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      if (final!.state !== 'COMPLETED')
        throw new Error(`job ${jobId} ended ${final!.state}, exit code ${final!.exitCode ?? '?'}`);
      return `COMPLETED on ${final!.node ?? '?'} in ${final!.elapsedSeconds ?? '?'} s (state from ${how})`;
    });
    await step('output', async () => {
      const out = (await readFrom(shell, `${dir}/out.txt`, 0))?.toString('utf8') ?? '';
      if (!out.includes('biomed-probe-ok'))
        throw new Error(`the job's output lacks the marker: ${out.trim().slice(-500) || '(empty)'}`);
      output = out;
      return out.split('\n').find((l) => l.startsWith('node ')) ?? 'ok';
    });
    await step('backend', async () => {
      const line = output.split('\n').find((l) => l.startsWith(BACKEND_MARK));
      if (!line) throw new Error(`the node's backend probe printed nothing: ${output.trim().slice(-500)}`);
      const report = JSON.parse(line.slice(BACKEND_MARK.length)) as NodeBackendReport;
      if (report.backend === 'none') throw new Error(report.summary);
      return report.summary;
    });
  } catch (err) {
    if (!(err instanceof StepFailed)) throw err;
  } finally {
    await shell.run(['rm', '-rf', dir]).catch(() => undefined);
  }
  return { ok: steps.every((s) => s.ok) && steps.length === 9, steps };
}
