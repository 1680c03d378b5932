import { join } from 'node:path';
import { nowIso } from '#db/connection';
import type { JobRecord } from '#db/repos/jobs';
import type { Store } from '#db/store';
import type { RunStatus } from '#shared/domain/run';
import { withDispatches } from './backend-line';
import { finalizeEvaluationMetrics } from './evaluation-metrics';
import type { SchedulerEvents } from './events';
import { describeWorkerDeath } from './exit-reason';
import { probeFilter } from './probe-noise';
import type { ProgressSink } from './progress-sink';
import {
  type JobSpec,
  PROTOCOL_VERSION,
  parseMessage,
  type WorkerMessage,
  WorkerMessage as WorkerMessageSchema,
} from './protocol';
import { RunLog } from './run-log';
import type { WorkerExit, WorkerProcess } from './worker-process';

/** How a job ended, as the scheduler records it. */
export interface JobOutcome {
  readonly status: RunStatus;
  readonly error: string | null;
}

/**
 * One running job: its worker process, its log, and the translation of worker messages into
 * store writes (batched through the progress sink) and events. Decides the final status when the
 * worker exits, whatever way it exits.
 */
export class JobSession {
  readonly log: RunLog;
  private stopRequested: 'cancel' | 'pause' | null = null;
  private killTimer: NodeJS.Timeout | undefined;
  private doneReason: 'completed' | 'cancelled' | 'paused' | null = null;
  private reportedError: { kind: string; message: string } | null = null;
  private lastStep = 0;
  private shuttingDown = false;
  private detached = false;
  private readonly finished: Promise<JobOutcome>;

  constructor(
    readonly job: JobRecord,
    spec: JobSpec,
    private readonly proc: WorkerProcess,
    private readonly store: Store,
    private readonly sink: ProgressSink,
    private readonly events: SchedulerEvents,
    logDir: string,
  ) {
    const previousTail = job.runId
      ? store.runs.logTail(job.runId)
      : (store.evaluations.get(job.evaluationId ?? '')?.logTail ?? '');
    this.log = new RunLog(join(logDir, 'log.txt'), previousTail);
    this.finished = new Promise((resolve) => {
      proc.onExit((exit) => resolve(this.onExit(exit)));
    });
    const probe = probeFilter();
    proc.onOutput((line, stream) => {
      if (stream === 'stdout') return this.appendLog(line);
      const kept = probe(line);
      if (kept !== null) this.appendLog(`[stderr] ${kept}`);
    });
    proc.onMessage((raw) => this.onMessage(raw));
    this.appendLog(`worker ${proc.pid ?? '?'} started for ${spec.type} job ${job.id}`);
    proc.send({ type: 'start', v: PROTOCOL_VERSION, job: spec });
  }

  /** Resolves once the worker has exited and the outcome is stored. */
  whenFinished(): Promise<JobOutcome> {
    return this.finished;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Asks the worker to stop at its next step boundary; kills it after `graceMs`. */
  requestStop(mode: 'cancel' | 'pause', graceMs: number): void {
    if (this.stopRequested === 'cancel') return;
    this.stopRequested = mode;
    this.appendLog(mode === 'pause' ? 'pause requested' : 'cancel requested');
    this.proc.send({ type: 'cancel', v: PROTOCOL_VERSION, mode });
    clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => {
      this.appendLog(`worker did not stop within ${graceMs} ms: killed`);
      this.proc.kill('SIGKILL');
    }, graceMs);
  }

  /** Ignore the worker from now on (the store is about to close). */
  detach(): void {
    this.detached = true;
  }

  /** Kills the worker now because the app is closing: the run becomes `interrupted`, resumable. */
  shutdown(): void {
    this.shuttingDown = true;
    this.proc.kill('SIGKILL');
  }

  private appendLog(line: string): void {
    if (this.detached) return;
    this.log.append(line);
    if (this.job.runId) this.sink.logTail(this.job.runId, this.log.tail());
  }

  private onMessage(raw: unknown): void {
    if (this.detached) return;
    let msg: WorkerMessage;
    try {
      msg = parseMessage(WorkerMessageSchema, raw);
    } catch (err) {
      this.appendLog(`bad message from worker: ${(err as Error).message}`);
      this.reportedError ??= { kind: 'internal', message: (err as Error).message };
      this.proc.kill('SIGKILL');
      return;
    }
    const runId = this.job.runId;
    const evaluationId = this.job.evaluationId;
    switch (msg.type) {
      case 'started': {
        this.lastStep = msg.step;
        const patch = {
          status: 'running' as const,
          backend: `${msg.backend.name} (${msg.backend.version})`,
          device: msg.backend.device.startsWith('gpu ')
            ? msg.backend.device
            : `${msg.backend.device} x${msg.backend.threads}`,
          startedAt: nowIso(),
          error: null,
        };
        if (runId) {
          const run = this.store.runs.update(runId, {
            ...patch,
            step: msg.step,
            ...(msg.totalSteps !== null ? { totalSteps: msg.totalSteps } : {}),
            ...(msg.params !== null ? { params: msg.params } : {}),
          });
          if (run) this.events.runChanged(run);
        }
        if (evaluationId) {
          const ev = this.store.evaluations.update(evaluationId, {
            status: 'running',
            startedAt: nowIso(),
            error: null,
          });
          if (ev) this.events.evaluationChanged(ev);
        }
        this.appendLog(
          `backend ${msg.backend.name} ${msg.backend.version} on ${msg.backend.device}, ${msg.backend.threads} thread(s)`,
        );
        return;
      }
      case 'progress':
        this.lastStep = msg.step;
        if (runId) this.sink.step(runId, msg.step, msg.totalSteps);
        if (runId && msg.dispatchesPerStep !== undefined) {
          const line = withDispatches(this.store.runs.get(runId)?.backend ?? null, msg.dispatchesPerStep);
          const run = this.store.runs.update(runId, { backend: line });
          if (run) this.events.runChanged(run);
          this.appendLog(`backend ${line}`);
        }
        return;
      case 'metrics':
        if (runId)
          this.sink.points(
            runId,
            msg.points.map((p) => ({ runId, ...p })),
          );
        return;
      case 'log':
        this.appendLog(msg.level === 'info' ? msg.line : `[${msg.level}] ${msg.line}`);
        return;
      case 'checkpoint':
        if (runId) {
          // Metric rows up to the checkpoint are stored before the checkpoint is announced.
          this.sink.flush();
          this.store.checkpoints.add({ runId, step: msg.step, path: msg.path, bytes: msg.bytes });
          this.appendLog(`checkpoint at step ${msg.step} (${(msg.bytes / 1e6).toFixed(1)} MB)`);
        }
        return;
      case 'predictions':
        if (evaluationId) {
          this.store.transaction(() => {
            this.store.predictions.append(evaluationId, msg.rows);
            this.store.evaluations.update(evaluationId, {
              done: msg.done,
              total: msg.total,
              logTail: this.log.tail(),
            });
          });
          const ev = this.store.evaluations.get(evaluationId);
          if (ev) this.events.evaluationChanged(ev);
        }
        return;
      case 'done':
        this.lastStep = msg.step;
        this.doneReason = msg.reason;
        if (runId) this.sink.step(runId, msg.step, null);
        return;
      case 'error':
        this.reportedError = { kind: msg.kind, message: msg.message };
        this.appendLog(`[error] ${msg.message}`);
        return;
    }
  }

  private outcome(exit: WorkerExit): JobOutcome {
    if (this.doneReason === 'completed') return { status: 'succeeded', error: null };
    if (this.doneReason === 'paused') return { status: 'paused', error: null };
    if (this.doneReason === 'cancelled') return { status: 'cancelled', error: null };
    if (this.reportedError) return { status: 'failed', error: this.reportedError.message };
    if (this.shuttingDown)
      return { status: 'interrupted', error: 'The app closed while this job was running.' };
    if (this.stopRequested)
      return { status: this.stopRequested === 'pause' ? 'paused' : 'cancelled', error: null };
    return { status: 'failed', error: describeWorkerDeath(exit, this.log.tail()) };
  }

  private onExit(exit: WorkerExit): JobOutcome {
    clearTimeout(this.killTimer);
    if (this.detached) return { status: 'interrupted', error: null };
    let outcome = this.outcome(exit);
    this.appendLog(
      `worker exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}): ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`,
    );
    this.sink.flush();
    const finishedAt = nowIso();
    if (this.job.evaluationId) {
      const id = this.job.evaluationId;
      if (outcome.status === 'succeeded') {
        try {
          finalizeEvaluationMetrics(this.store, id);
        } catch (err) {
          outcome = { status: 'failed', error: `computing metrics failed: ${(err as Error).message}` };
        }
      }
      const ev = this.store.evaluations.update(id, {
        status: outcome.status,
        error: outcome.error,
        finishedAt,
        logTail: this.log.tail(),
      });
      if (ev) this.events.evaluationChanged(ev);
    }
    if (this.job.runId) {
      const run = this.store.runs.update(this.job.runId, {
        status: outcome.status,
        error: outcome.error,
        finishedAt,
        logTail: this.log.tail(),
      });
      if (run) this.events.runChanged(run);
    }
    this.store.jobs.finish(
      this.job.id,
      outcome.status === 'succeeded' ? 'done' : outcome.status === 'failed' ? 'failed' : 'cancelled',
    );
    return outcome;
  }

  /** The last step the worker reported. */
  get step(): number {
    return this.lastStep;
  }
}
