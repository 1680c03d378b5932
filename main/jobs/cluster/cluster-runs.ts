import type { ClusterJobRecord } from '#db/repos/clusters';
import type { Store } from '#db/store';
import type { SchedulerEvents } from '#main/jobs/events';
import { SchedulerError } from '#main/jobs/scheduler';
import { ClusterProfile, type SlurmJobInfo } from '#shared/domain/cluster';
import { RESUMABLE_STATUSES, type RunSummary } from '#shared/domain/run';
import { type BundleEval, type BundleRun, writeBundle } from './bundle';
import { followEvaluations, requeueEvaluations } from './follow-evaluations';
import { ingestRunFolder } from './ingest';
import { jobOutcome } from './outcome';
import { type ClusterShell, clusterShell, listDir } from './shell';
import {
  isFinalState,
  jobcompJobs,
  jobcompLocation,
  SlurmError,
  sacct,
  sbatch,
  scancel,
  scontrolJobs,
  squeue,
} from './slurm';

/** Settings of the cluster side of a data folder. */
export interface ClusterRunsOptions {
  readonly store: Store;
  readonly blobsDir: string;
  readonly events: SchedulerEvents;
  /** Follow jobs in this process (the process that runs the data folder's jobs). */
  readonly active: () => boolean;
}

/**
 * Runs on Slurm clusters: submits an experiment's runs as one batch job or one job array against
 * a bundle on the shared folder, follows the jobs through squeue and sacct (or scontrol and the
 * job-completion log where there is no accounting), ingests their run folders into the store,
 * and ends each run with Slurm's verdict. Everything it knows is in the store, so a workbench
 * opened again later catches up where it stopped.
 */
export class ClusterRuns {
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | null = null;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  /** When each job was first found missing from every Slurm source (the grace time's start). */
  private readonly missingSince = new Map<string, number>();

  constructor(private readonly opts: ClusterRunsOptions) {}

  /** Starts following (catching up at once with whatever happened while the app was closed). */
  start(): void {
    if (!this.opts.active()) return;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private nextInterval(): number {
    const open = [...this.opts.store.clusters.openJobs(), ...this.opts.store.clusters.evaluations.openJobs()];
    const secs = open
      .map((j) => ClusterProfile.safeParse(j.profile))
      .map((p) => (p.success ? p.data.pollSeconds : 15));
    return Math.min(15, ...secs) * 1000;
  }

  /** The profile of a name, validated. */
  profile(name: string): ClusterProfile {
    const raw = this.opts.store.clusters.profile(name);
    if (raw === undefined) throw new SchedulerError('not_found', `No cluster profile named "${name}"`);
    return ClusterProfile.parse(raw);
  }

  /** Whether a run belongs to a cluster. */
  owns(runId: string): boolean {
    return this.opts.store.clusters.latestJob(runId) !== undefined;
  }

  /**
   * Submits runs (rows already stored, status queued) to a cluster: one job for one run, a job
   * array for several. On failure every run is marked failed with the reason and the error thrown.
   */
  async submit(
    profile: ClusterProfile,
    experiment: { id: string; name: string },
    runs: readonly BundleRun[],
    evaluations: readonly BundleEval[] = [],
  ): Promise<ClusterJobRecord[]> {
    const { store } = this.opts;
    const shell = clusterShell(profile);
    let trainJob: string | null = null;
    try {
      const bundle = await writeBundle({
        store,
        blobsDir: this.opts.blobsDir,
        profile,
        shell,
        experimentId: experiment.id,
        name: experiment.name,
        runs,
        evaluations,
      });
      const array = runs.length > 1;
      const jobId =
        runs.length === 0
          ? null
          : await sbatch(shell, profile, bundle.script, [
              ...(array ? [`--array=0-${runs.length - 1}`] : []),
              `--output=${bundle.bundleDir}/logs/${array ? '%A_%a' : '%j'}.out`,
            ]);
      trainJob = jobId;
      // The evaluations: one job (or array) after the whole training job or array succeeded;
      // Slurm cancels it (--kill-on-invalid-dep) when a training task fails.
      const evalArray = evaluations.length > 1;
      const evalJob =
        evaluations.length === 0
          ? null
          : await sbatch(shell, profile, bundle.evalScript, [
              ...(evalArray ? [`--array=0-${evaluations.length - 1}`] : []),
              ...(jobId ? [`--dependency=afterok:${jobId}`, '--kill-on-invalid-dep=yes'] : []),
              `--output=${bundle.bundleDir}/logs/eval-${evalArray ? '%A_%a' : '%j'}.out`,
            ]);
      const records = store.transaction(() => {
        for (const [i, e] of evaluations.entries()) {
          store.clusters.evaluations.addJob({
            runId: e.evaluationId,
            cluster: profile.name,
            profile,
            jobId: evalArray ? `${evalJob}_${i}` : evalJob!,
            taskIndex: i,
            bundleDir: bundle.bundleDir,
            runDir: bundle.evalDirs[i]!,
          });
        }
        return runs.map((r, i) =>
          store.clusters.addJob({
            runId: r.runId,
            cluster: profile.name,
            profile,
            jobId: array ? `${jobId}_${i}` : jobId!,
            taskIndex: i,
            bundleDir: bundle.bundleDir,
            runDir: bundle.runDirs[i]!,
          }),
        );
      });
      this.changed(runs.map((r) => r.runId));
      this.schedule(200);
      return records;
    } catch (err) {
      if (trainJob) await scancel(shell, [trainJob]).catch(() => undefined);
      const error = `Submitting to cluster "${profile.name}" failed: ${(err as Error).message}`;
      for (const r of runs) {
        const run = store.runs.update(r.runId, { status: 'failed', error });
        if (run) this.opts.events.runChanged(run);
      }
      for (const e of evaluations) {
        const ev = store.evaluations.update(e.evaluationId, { status: 'failed', error });
        if (ev) this.opts.events.evaluationChanged(ev);
      }
      throw new SlurmError(error);
    }
  }

  /** Whether an evaluation is decoded on a cluster. */
  ownsEvaluation(evaluationId: string): boolean {
    return this.opts.store.clusters.evaluations.latestJob(evaluationId) !== undefined;
  }

  /** Cancels an evaluation's job; it ends `cancelled` when Slurm says so. */
  async cancelEvaluation(evaluationId: string): Promise<void> {
    const job = this.opts.store.clusters.evaluations.latestJob(evaluationId);
    if (!job || job.closed) return;
    await scancel(clusterShell(ClusterProfile.parse(job.profile)), [job.jobId]);
    this.schedule(200);
  }

  private job(runId: string): { job: ClusterJobRecord; profile: ClusterProfile; run: RunSummary } {
    const { store } = this.opts;
    const run = store.runs.get(runId);
    const job = store.clusters.latestJob(runId);
    if (!run || !job) throw new SchedulerError('not_found', `No cluster run with id "${runId}"`);
    return { job, run, profile: ClusterProfile.parse(job.profile) };
  }

  /** Cancels a run's job (`scancel`); the run ends `cancelled` when Slurm says so. */
  async cancel(runId: string): Promise<RunSummary> {
    const { job, run, profile } = this.job(runId);
    if (job.closed)
      throw new SchedulerError('conflict', `Run "${run.name}" is ${run.status}: there is nothing to cancel.`);
    await scancel(clusterShell(profile), [job.jobId]);
    this.schedule(200);
    return run;
  }

  /** Pauses a run: its worker gets SIGTERM, writes a checkpoint and stops; resume resubmits it. */
  async pause(runId: string): Promise<RunSummary> {
    const { job, run, profile } = this.job(runId);
    if (job.closed || job.state !== 'RUNNING') {
      throw new SchedulerError(
        'conflict',
        `Run "${run.name}" is not running on ${job.cluster}: there is nothing to pause.`,
      );
    }
    const r = await clusterShell(profile).run(['scancel', '--batch', '--signal=TERM', job.jobId]);
    if (r.code !== 0) throw new SlurmError(`scancel --signal=TERM ${job.jobId} failed: ${r.stderr.trim()}`);
    return run;
  }

  /**
   * Resubmits a run that ended (time limit, failure, cancel, pause) as a new attempt of the same
   * bundle, with the profile as it is now (a raised time limit applies); the worker resumes from
   * the newest checkpoint in the run folder. The run's evaluations that Slurm cancelled with the
   * failed attempt are queued again behind the new one.
   */
  async resubmit(runId: string): Promise<RunSummary> {
    const { store } = this.opts;
    const { job, run, profile: old } = this.job(runId);
    if (!job.closed || !RESUMABLE_STATUSES.has(run.status)) {
      throw new SchedulerError(
        'conflict',
        `Run "${run.name}" is ${run.status}; only ended runs can be resubmitted.`,
      );
    }
    const current = store.clusters.profile(job.cluster);
    const profile = current === undefined ? old : ClusterProfile.parse(current);
    const shell = clusterShell(profile);
    const array = job.jobId.includes('_');
    const id = await sbatch(shell, profile, `${job.bundleDir}/job.sh`, [
      ...(array ? [`--array=${job.taskIndex}`] : []),
      `--output=${job.bundleDir}/logs/${array ? '%A_%a' : '%j'}.out`,
    ]);
    const updated = store.transaction(() => {
      store.clusters.addJob({
        runId,
        cluster: profile.name,
        profile,
        jobId: array ? `${id}_${job.taskIndex}` : id,
        taskIndex: job.taskIndex,
        bundleDir: job.bundleDir,
        runDir: job.runDir,
      });
      return store.runs.update(runId, { status: 'queued', error: null, finishedAt: null })!;
    });
    this.opts.events.runChanged(updated);
    // Evaluations Slurm cancelled with the failed attempt wait on this one (after any poll in
    // flight, so it does not end them again from what it read before).
    if (this.polling) await this.polling;
    const requeued = await requeueEvaluations(store, shell, profile, { runId, bundleDir: job.bundleDir }, id);
    for (const evId of requeued) {
      const ev = store.evaluations.get(evId);
      if (ev) this.opts.events.evaluationChanged(ev);
    }
    this.schedule(200);
    return updated;
  }

  /** One pass over every followed job; passes never overlap. */
  poll(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.pass()
      .catch((err: unknown) => {
        if (!this.closed) process.stderr.write(`cluster poll failed: ${(err as Error).message}\n`);
      })
      .finally(() => {
        this.polling = null;
        this.notify();
        if (this.opts.store.isOpen() && !this.closed) this.schedule(this.nextInterval());
      });
    return this.polling;
  }

  private async pass(): Promise<void> {
    const groups = new Map<string, { runs: ClusterJobRecord[]; evals: ClusterJobRecord[] }>();
    const group = (j: ClusterJobRecord) => {
      const key = JSON.stringify(j.profile);
      const g = groups.get(key) ?? { runs: [], evals: [] };
      groups.set(key, g);
      return g;
    };
    for (const j of this.opts.store.clusters.openJobs()) group(j).runs.push(j);
    for (const j of this.opts.store.clusters.evaluations.openJobs()) group(j).evals.push(j);
    for (const [key, { runs, evals }] of groups) {
      if (this.closed) return;
      const profile = ClusterProfile.parse(JSON.parse(key));
      // One unreachable cluster (network, ssh key) must not stop following the others.
      try {
        const shell = clusterShell(profile);
        const states = await this.states(shell, profile, [...runs, ...evals]);
        await this.follow(profile, runs, states);
        await followEvaluations(
          this.opts,
          profile,
          evals,
          (job) => this.stateOf(profile, job, states),
          () => this.closed,
        );
      } catch (err) {
        if (!this.closed)
          process.stderr.write(`following cluster ${profile.name} failed: ${(err as Error).message}\n`);
      }
    }
  }

  private async states(shell: ClusterShell, profile: ClusterProfile, jobs: readonly ClusterJobRecord[]) {
    const found = new Map<string, SlurmJobInfo>(await squeue(shell));
    const missing = jobs.filter((j) => !found.has(j.jobId)).map((j) => j.jobId);
    if (missing.length === 0) return found;
    const accounting = profile.accounting === 'scontrol' ? null : await sacct(shell, missing);
    if (accounting === null && profile.accounting === 'sacct') {
      throw new SlurmError(
        `sacct on ${profile.name} answers that accounting is disabled; set accounting to auto or scontrol`,
      );
    }
    if (accounting) {
      for (const id of missing) {
        const a = accounting.get(id);
        if (a) found.set(id, a);
      }
      return found;
    }
    for (const [id, info] of await scontrolJobs(shell, missing))
      if (missing.includes(id)) found.set(id, info);
    const left = missing.filter((id) => !found.has(id));
    const log = left.length > 0 ? await jobcompLocation(shell) : null;
    if (log)
      for (const [id, info] of await jobcompJobs(shell, log)) if (left.includes(id)) found.set(id, info);
    return found;
  }

  /**
   * What Slurm says of a job; a job no source reports (purged before a poll saw it end, or a
   * job id Slurm never had) gets a final LOST state once the profile's grace time has passed.
   */
  private stateOf(profile: ClusterProfile, job: ClusterJobRecord, states: Map<string, SlurmJobInfo>) {
    const info = states.get(job.jobId);
    const key = `${job.cluster}:${job.jobId}`;
    if (info) {
      this.missingSince.delete(key);
      return info;
    }
    const since = this.missingSince.get(key) ?? Date.now();
    this.missingSince.set(key, since);
    if (Date.now() - since < profile.lostAfterSeconds * 1000) return undefined;
    this.missingSince.delete(key);
    return {
      jobId: job.jobId,
      state: 'LOST',
      reason: `Slurm reported job ${job.jobId} nowhere (squeue, ${profile.accounting === 'scontrol' ? '' : 'sacct, '}scontrol, the job-completion log) for ${profile.lostAfterSeconds} s: it was purged or never existed`,
      node: null,
      elapsedSeconds: null,
      exitCode: null,
      maxRssBytes: null,
    } satisfies SlurmJobInfo;
  }

  private async follow(
    profile: ClusterProfile,
    jobs: readonly ClusterJobRecord[],
    states: Map<string, SlurmJobInfo>,
  ): Promise<void> {
    const { store, events } = this.opts;
    const shell = clusterShell(profile);
    for (const job of jobs) {
      if (this.closed) return;
      const info = this.stateOf(profile, job, states);
      const infoChanged = info ? store.clusters.updateJob(job.id, info) : false;
      const ingested = await ingestRunFolder(store, shell, job);
      if (this.closed) return;
      if (ingested.points.length > 0 || ingested.step !== null) {
        events.runProgress({
          runId: job.runId,
          step: ingested.step,
          totalSteps: ingested.totalSteps,
          points: ingested.points,
        });
      }
      const run = store.runs.get(job.runId);
      if (!run) {
        store.clusters.closeJob(job.id);
        continue;
      }
      if (info && isFinalState(info.state)) {
        const outcome = jobOutcome(
          profile,
          job,
          info,
          ingested.end,
          store.checkpoints.latest(job.runId)?.step ?? null,
        );
        const ended = store.transaction(() => {
          store.clusters.closeJob(job.id);
          return store.runs.update(job.runId, {
            status: outcome.status,
            error: outcome.error,
            finishedAt: new Date().toISOString(),
          });
        });
        if (ended) events.runChanged(ended);
        continue;
      }
      const live = info?.state === 'RUNNING' ? 'running' : info?.state === 'PENDING' ? 'queued' : null;
      if (live && run.status !== live && !(live === 'queued' && run.status === 'running')) {
        const updated = store.runs.update(job.runId, { status: live });
        if (updated) events.runChanged(updated);
      } else if (infoChanged || ingested.records > 0) {
        events.runChanged(store.runs.get(job.runId)!);
      }
    }
  }

  private changed(runIds: readonly string[]): void {
    for (const id of runIds) {
      const run = this.opts.store.runs.get(id);
      if (run) this.opts.events.runChanged(run);
    }
  }

  /** Resolves once no cluster job is followed any more (or the given runs' jobs are closed). */
  async idle(runIds?: readonly string[]): Promise<void> {
    for (;;) {
      const open = [
        ...this.opts.store.clusters.openJobs(),
        ...this.opts.store.clusters.evaluations.openJobs(),
      ].filter((j) => !runIds || runIds.includes(j.runId));
      if (open.length === 0 || this.closed) return;
      // A referenced timer keeps a CLI process alive while it waits (the poll timer is unref'd).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        if (this.opts.active())
          this.waiters.add(() => {
            clearTimeout(timer);
            resolve();
          });
      });
    }
  }

  private notify(): void {
    const w = [...this.waiters];
    this.waiters.clear();
    for (const f of w) f();
  }

  /** Stops following (jobs go on running on the cluster; the next start catches up). */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.notify();
  }

  /** Lists a run folder's files on the cluster (diagnostics, tests). */
  async runFiles(runId: string): Promise<string[]> {
    const { job, profile } = this.job(runId);
    return listDir(clusterShell(profile), job.runDir);
  }
}
