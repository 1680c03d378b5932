import { join } from 'node:path';
import type { JobKind, JobRecord } from '#db/repos/jobs';
import type { Store } from '#db/store';
import { RESUMABLE_STATUSES, type RunSummary } from '#shared/domain/run';
import type { SchedulerEvents } from './events';
import { type JobOutcome, JobSession } from './job-session';
import { ProgressSink } from './progress-sink';
import { type EvaluateJob, JobSpec, type TrainJob } from './protocol';
import { SchedulerLock } from './scheduler-lock';
import { takeStopRequest, writeStopRequest } from './stop-request';
import type { WorkerLauncher } from './worker-process';

/** Folders the scheduler writes to (the data home). */
export interface SchedulerPaths {
  readonly databaseFile: string;
  readonly blobs: string;
  readonly runs: string;
}

/** Scheduler settings. */
export interface SchedulerOptions {
  readonly store: Store;
  readonly paths: SchedulerPaths;
  readonly launcher: WorkerLauncher;
  readonly events: SchedulerEvents;
  /** Jobs at a time on a device (default 1; `BIOMED_JOBS_PER_DEVICE` overrides). */
  readonly concurrency?: (device: string) => number;
  /** Run queued jobs (false: only queue them, for read-only CLI commands). */
  readonly runJobs?: boolean;
  /** Lock file naming the process that runs this data folder's jobs. */
  readonly lockFile?: string;
  /** How long a worker gets to stop at a step boundary before it is killed. */
  readonly cancelGraceMs?: number;
  /** How often buffered progress is written. */
  readonly flushIntervalMs?: number;
}

/** Why a lifecycle request was refused. */
export class SchedulerError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'SchedulerError';
  }
}

/**
 * The persistent job queue: jobs are rows in the store, so queued work survives a restart. One
 * job per device at a time (configurable); each job runs in its own engine worker process.
 */
export class Scheduler {
  private readonly sessions = new Map<number, JobSession>();
  private readonly sink: ProgressSink;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  private active = false;
  private readonly graceMs: number;
  private readonly lock: SchedulerLock | null;
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.graceMs = opts.cancelGraceMs ?? 10_000;
    this.sink = new ProgressSink(opts.store, (b) => opts.events.runProgress(b), opts.flushIntervalMs ?? 250);
    this.lock = opts.lockFile ? new SchedulerLock(opts.lockFile) : null;
  }

  /** Whether this process runs the data folder's jobs (false when another process does). */
  get isActive(): boolean {
    return this.active;
  }

  /** The pid of another process running this data folder's jobs, if any. */
  otherOwner(): number | null {
    return this.lock?.holder() ?? null;
  }

  /**
   * Start-up: runs and evaluations left `running` by a crash become `interrupted` (resumable),
   * their jobs are closed, and queued jobs start.
   */
  start(): { interruptedRuns: string[]; interruptedEvaluations: string[] } {
    const { store } = this.opts;
    if (this.lock && !this.lock.acquire()) return { interruptedRuns: [], interruptedEvaluations: [] };
    this.active = this.opts.runJobs ?? true;
    const reason = 'The app stopped while this was running (crash or forced quit). Resume it to continue.';
    const result = store.transaction(() => {
      store.jobs.abandonRunning();
      return {
        interruptedRuns: store.runs.markInterrupted(reason),
        interruptedEvaluations: store.evaluations.markInterrupted(reason),
      };
    });
    for (const id of result.interruptedRuns) {
      const run = store.runs.get(id);
      if (run) this.opts.events.runChanged(run);
    }
    this.pump();
    if (this.active) {
      // Another process (a CLI command) may queue jobs into the shared store: pick them up.
      this.poll = setInterval(() => {
        this.forwardStopRequests();
        this.pump();
      }, 1000);
      this.poll.unref();
    }
    return result;
  }

  private concurrency(device: string): number {
    const env = Number(process.env['BIOMED_JOBS_PER_DEVICE']);
    if (Number.isInteger(env) && env > 0) return env;
    return this.opts.concurrency?.(device) ?? 1;
  }

  private running(device: string): number {
    return [...this.sessions.values()].filter((s) => s.job.device === device).length;
  }

  /** Queues a training job for a run (the run row must exist). */
  enqueueTrain(spec: TrainJob, device = 'cpu'): JobRecord {
    return this.enqueue('train', spec, device, { runId: spec.runId });
  }

  /** Queues an evaluation job (the evaluation row must exist). */
  enqueueEvaluation(spec: EvaluateJob, device = 'cpu'): JobRecord {
    return this.enqueue('evaluate', spec, device, { evaluationId: spec.evaluationId });
  }

  private enqueue(
    kind: JobKind,
    spec: TrainJob | EvaluateJob,
    device: string,
    target: { runId?: string; evaluationId?: string },
  ): JobRecord {
    const job = this.opts.store.jobs.enqueue({ kind, device, spec: JobSpec.parse(spec), ...target });
    queueMicrotask(() => this.pump());
    return job;
  }

  /** Starts queued jobs on devices with a free slot. */
  pump(): void {
    if (this.closed || !this.active) {
      this.notify();
      return;
    }
    const { store } = this.opts;
    for (const device of store.jobs.queuedDevices()) {
      while (this.running(device) < this.concurrency(device)) {
        const job = store.jobs.next(device);
        if (!job) break;
        this.launch(job);
      }
    }
    this.notify();
  }

  private launch(job: JobRecord): void {
    const { store, paths } = this.opts;
    const parsed = JobSpec.safeParse(job.spec);
    if (!parsed.success) {
      store.jobs.finish(job.id, 'failed');
      const error = `the queued job could not be read: ${parsed.error.message}`;
      if (job.runId) store.runs.update(job.runId, { status: 'failed', error });
      if (job.evaluationId) store.evaluations.update(job.evaluationId, { status: 'failed', error });
      return;
    }
    // Paths are re-derived from this data home, so a moved data folder still works.
    const spec = { ...parsed.data, dbFile: paths.databaseFile, blobsDir: paths.blobs };
    const logDir = join(paths.runs, job.runId ?? `eval-${job.evaluationId}`);
    const proc = this.opts.launcher({ name: `${spec.type}-${job.id}` });
    store.jobs.markRunning(job.id, proc.pid ?? null);
    const session = new JobSession(job, spec, proc, store, this.sink, this.opts.events, logDir);
    this.sessions.set(job.id, session);
    void session.whenFinished().then(() => {
      this.sessions.delete(job.id);
      this.pump();
    });
  }

  private sessionOf(target: { runId?: string; evaluationId?: string }): JobSession | undefined {
    return [...this.sessions.values()].find(
      (s) =>
        (target.runId !== undefined && s.job.runId === target.runId) ||
        (target.evaluationId !== undefined && s.job.evaluationId === target.evaluationId),
    );
  }

  /** Cancels a run: a queued job is dropped; a running one stops at its next step boundary. */
  cancel(runId: string): RunSummary {
    return this.stop(runId, 'cancel');
  }

  /** Pauses a run: it writes a checkpoint at its next step boundary and can be resumed from it. */
  pause(runId: string): RunSummary {
    return this.stop(runId, 'pause');
  }

  private stop(runId: string, mode: 'cancel' | 'pause'): RunSummary {
    const { store } = this.opts;
    const run = store.runs.get(runId);
    if (!run) throw new SchedulerError('not_found', `No run with id "${runId}"`);
    const session = this.sessionOf({ runId });
    if (session) {
      session.requestStop(mode, this.graceMs);
      return run;
    }
    const active = store.jobs.activeFor({ runId });
    if (active.some((j) => j.status === 'running') && !this.active) {
      // Another process runs this job: leave it a request it picks up within its poll interval.
      writeStopRequest(this.opts.paths.runs, runId, mode);
      return run;
    }
    const queued = active.filter((j) => j.status === 'queued');
    if (queued.length === 0 && mode === 'cancel' && run.status === 'paused') {
      // A paused run has no job: cancelling it only says it will not be resumed.
      const cancelled = store.runs.update(runId, { status: 'cancelled' })!;
      this.opts.events.runChanged(cancelled);
      return cancelled;
    }
    if (queued.length === 0) {
      throw new SchedulerError(
        'conflict',
        `Run "${run.name}" is ${run.status}: there is nothing to ${mode}.`,
      );
    }
    for (const j of queued) store.jobs.finish(j.id, 'cancelled');
    const updated = store.runs.update(runId, { status: mode === 'pause' ? 'paused' : 'cancelled' })!;
    this.opts.events.runChanged(updated);
    this.notify();
    return updated;
  }

  /** Stop requests other processes (`biomed runs cancel`) left for runs this process runs. */
  private forwardStopRequests(): void {
    for (const s of this.sessions.values()) {
      if (!s.job.runId) continue;
      const mode = takeStopRequest(this.opts.paths.runs, s.job.runId);
      if (mode) s.requestStop(mode, this.graceMs);
    }
  }

  /** Cancels an evaluation (queued or running). */
  cancelEvaluation(evaluationId: string): void {
    const session = this.sessionOf({ evaluationId });
    if (session) {
      session.requestStop('cancel', this.graceMs);
      return;
    }
    const { store } = this.opts;
    for (const j of store.jobs.activeFor({ evaluationId })) store.jobs.finish(j.id, 'cancelled');
    const ev = store.evaluations.update(evaluationId, { status: 'cancelled' });
    if (ev) this.opts.events.evaluationChanged(ev);
    this.notify();
  }

  /**
   * Resumes a paused, interrupted, failed or cancelled run from its latest checkpoint (from the
   * start when it never wrote one): queues its last job again with `resumeCheckpoint` set.
   */
  resume(runId: string): RunSummary {
    const { store } = this.opts;
    const run = store.runs.get(runId);
    if (!run) throw new SchedulerError('not_found', `No run with id "${runId}"`);
    if (!RESUMABLE_STATUSES.has(run.status)) {
      throw new SchedulerError(
        'conflict',
        `Run "${run.name}" is ${run.status}; only paused, interrupted, failed or cancelled runs can be resumed.`,
      );
    }
    const last = store.jobs.latestFor({ runId, kind: 'train' });
    if (!last) throw new SchedulerError('conflict', `Run "${run.name}" has no training job to resume.`);
    const spec = JobSpec.parse(last.spec);
    if (spec.type !== 'train') throw new SchedulerError('conflict', 'only training runs can be resumed');
    const checkpoint = store.checkpoints.latest(runId);
    const updated = store.transaction(() => {
      store.jobs.enqueue({
        kind: 'train',
        runId,
        device: last.device,
        spec: { ...spec, resumeCheckpoint: checkpoint?.path ?? null },
      });
      return store.runs.update(runId, { status: 'queued', error: null, finishedAt: null })!;
    });
    this.opts.events.runChanged(updated);
    queueMicrotask(() => this.pump());
    return updated;
  }

  /** Resumes an interrupted evaluation: predictions already stored are kept and skipped. */
  resumeEvaluation(evaluationId: string): void {
    const { store } = this.opts;
    const last = store.jobs.latestFor({ evaluationId });
    if (!last) throw new SchedulerError('not_found', `No evaluation job for "${evaluationId}"`);
    const spec = JobSpec.parse(last.spec);
    if (spec.type !== 'evaluate') throw new SchedulerError('conflict', 'not an evaluation job');
    store.evaluations.update(evaluationId, { status: 'queued', error: null });
    this.enqueueEvaluation(
      { ...spec, skipExampleIds: [...store.predictions.doneExampleIds(evaluationId)] },
      last.device,
    );
  }

  /** Whether a run or evaluation has a live worker. */
  isRunning(target: { runId?: string; evaluationId?: string }): boolean {
    return this.sessionOf(target) !== undefined;
  }

  /** The last step a run's live worker reported (unbatched; fault tests and diagnostics). */
  liveStep(runId: string): number | undefined {
    return this.sessionOf({ runId })?.step;
  }

  /** The live worker's pid of a run (fault tests and diagnostics). */
  workerPid(runId: string): number | undefined {
    return this.sessionOf({ runId })?.pid;
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    for (;;) {
      if (
        this.sessions.size === 0 &&
        this.opts.store.jobs.list('queued').length === 0 &&
        this.opts.store.jobs.list('running').length === 0
      )
        return;
      await this.changed();
    }
  }

  /** Resolves with the job outcome when a run's current job ends. */
  async waitForRun(runId: string): Promise<RunSummary> {
    for (;;) {
      const run = this.opts.store.runs.get(runId);
      if (!run) throw new SchedulerError('not_found', `No run with id "${runId}"`);
      const active = this.opts.store.jobs.activeFor({ runId });
      if (active.length === 0 && !this.sessionOf({ runId })) return run;
      await this.changed();
    }
  }

  /** Resolves when an evaluation's job has ended. */
  async waitForEvaluation(evaluationId: string): Promise<void> {
    while (this.opts.store.jobs.activeFor({ evaluationId }).length > 0 || this.sessionOf({ evaluationId })) {
      await this.changed();
    }
  }

  /** Resolves at the next state change here, or after a second (another process may own the jobs). */
  private changed(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, 1000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  /** Stops every worker (their runs become `interrupted`) and writes what is buffered. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    const finishing: Promise<JobOutcome>[] = [];
    for (const s of this.sessions.values()) {
      s.shutdown();
      finishing.push(s.whenFinished());
    }
    await Promise.all(finishing);
    this.sink.dispose();
    this.lock?.release();
    this.notify();
  }

  /**
   * Synchronous close for shutdown paths that cannot wait (the store closes right after): kills
   * every worker and marks its run or evaluation `interrupted` now; late exit events are ignored.
   */
  closeNow(): void {
    this.closed = true;
    clearInterval(this.poll);
    this.sink.dispose();
    const { store } = this.opts;
    for (const s of this.sessions.values()) {
      s.detach();
      s.shutdown();
      const error = 'The app closed while this job was running. Resume it to continue.';
      if (s.job.runId)
        store.runs.update(s.job.runId, { status: 'interrupted', error, logTail: s.log.tail() });
      if (s.job.evaluationId) store.evaluations.update(s.job.evaluationId, { status: 'interrupted', error });
      store.jobs.finish(s.job.id, 'failed');
    }
    this.sessions.clear();
    this.lock?.release();
    this.notify();
  }
}
