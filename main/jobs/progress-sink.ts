import type { MetricWrite } from '#db/repos/metrics';
import type { Store } from '#db/store';

/** What one flush wrote for one run, forwarded as an `onDidRunProgress` event. */
export interface RunProgressBatch {
  readonly runId: string;
  readonly step: number | null;
  readonly totalSteps: number | null;
  readonly points: readonly MetricWrite[];
}

interface Pending {
  points: MetricWrite[];
  step: number | null;
  totalSteps: number | null;
  logTail: string | null;
}

/**
 * Buffers what workers stream (metric points, step, log tail) and writes it in one transaction
 * per flush, so a training loop of thousands of steps costs a few transactions a second. A flush
 * happens on a timer, when a buffer grows large, and before anything that must be ordered after
 * it (a checkpoint row, the end of a job).
 */
export class ProgressSink {
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly onFlushed: (batch: RunProgressBatch) => void,
    private readonly intervalMs = 250,
    private readonly maxPoints = 2000,
  ) {}

  private slot(runId: string): Pending {
    let p = this.pending.get(runId);
    if (!p) {
      p = { points: [], step: null, totalSteps: null, logTail: null };
      this.pending.set(runId, p);
    }
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
    return p;
  }

  points(runId: string, points: readonly MetricWrite[]): void {
    const p = this.slot(runId);
    p.points.push(...points);
    if (p.points.length >= this.maxPoints) this.flush();
  }

  step(runId: string, step: number, totalSteps: number | null): void {
    const p = this.slot(runId);
    p.step = Math.max(p.step ?? 0, step);
    if (totalSteps !== null) p.totalSteps = totalSteps;
  }

  logTail(runId: string, tail: string): void {
    this.slot(runId).logTail = tail;
  }

  /** Writes everything buffered, all runs in one transaction. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batches = [...this.pending.entries()];
    this.pending.clear();
    const { metrics, runs } = this.store;
    this.store.transaction(() => {
      for (const [runId, p] of batches) {
        metrics.append(p.points);
        runs.update(runId, {
          ...(p.step !== null ? { step: p.step } : {}),
          ...(p.totalSteps !== null ? { totalSteps: p.totalSteps } : {}),
          ...(p.logTail !== null ? { logTail: p.logTail } : {}),
        });
      }
    });
    for (const [runId, p] of batches) {
      if (p.points.length > 0 || p.step !== null)
        this.onFlushed({ runId, step: p.step, totalSteps: p.totalSteps, points: p.points });
    }
  }

  dispose(): void {
    this.flush();
  }
}
