/** fairseq's polynomial_decay schedule with linear warmup. */
export interface LrSchedule {
  /** Peak learning rate. */
  readonly lr: number;
  /** Total optimizer updates of the run. */
  readonly totalSteps: number;
  /** Share of totalSteps spent warming up linearly from 0 (fairseq --warmup-ratio). */
  readonly warmupRatio: number;
  /** Learning rate reached at totalSteps (fairseq --end-learning-rate, default 0). */
  readonly endLr?: number;
  /** Polynomial power (1 = linear decay). */
  readonly power?: number;
}

/** Learning rate for update number `step` (1-based: the first update uses step 1). */
export function lrAt(s: LrSchedule, step: number): number {
  const warmup = Math.round(s.warmupRatio * s.totalSteps);
  const end = s.endLr ?? 0;
  if (warmup > 0 && step <= warmup) return (s.lr * step) / warmup;
  if (step >= s.totalSteps) return end;
  const remaining = 1 - (step - warmup) / Math.max(s.totalSteps - warmup, 1);
  return (s.lr - end) * remaining ** (s.power ?? 1) + end;
}
