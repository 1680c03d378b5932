import type { Example, PreparedBatch } from './batch';
import { type StepResult, type TrainerState, type TrainOptions, trainStep } from './step';
import { type BestValidation, bestOf, type ValidationResult, validationLoss } from './validate';

/** How long and how a run trains. */
export interface LoopPlan {
  /** The update the run ends at (updates already done are the state's `adam.step`). */
  readonly totalSteps: number;
  /** Examples per forward/backward pass; a larger batch is split into micro steps (gradient accumulation). */
  readonly microBatchSize: number;
  /** Checkpoint every this many updates, and always at the last one. */
  readonly checkpointEvery: number;
  /** Validate every this many updates (and at the last one); 0 never. */
  readonly validateEvery: number;
  readonly train: TrainOptions;
  /** The best validation score of the run so far (restored from the checkpoint a run resumes from). */
  readonly best?: BestValidation | null;
}

/** Where the loop's data comes from and its reports go (the job wires these to its messages). */
export interface LoopIo {
  /** Between updates: lets the host through and says whether to stop. */
  stopRequested(): Promise<'pause' | 'cancel' | null>;
  /** The examples of update `step`, in order. */
  batch(step: number): Promise<readonly Example[]>;
  /** Tokenises and pads examples (the session's prepare). */
  prepare(examples: readonly Example[]): PreparedBatch;
  /** Held-out examples of the validate stage, asked for once (none: the stage is skipped). */
  validation(): Promise<readonly Example[]>;
  logStep(r: StepResult): void;
  logValidation(step: number, r: ValidationResult, best: BestValidation | null): void;
  /** Writes a checkpoint of the current state, with the best validation score so far. */
  checkpoint(step: number, best: BestValidation | null): Promise<void>;
}

/** How the loop ended, and the last update done. */
export interface LoopResult {
  readonly reason: 'completed' | 'cancelled' | 'paused';
  readonly step: number;
  readonly best: BestValidation | null;
}

function splitMicro<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(size, 1)) out.push(items.slice(i, i + Math.max(size, 1)));
  return out;
}

/** Prepared batches of `size` examples, one at a time (only one batch's images are held at once). */
function* batchesOf(examples: readonly Example[], size: number, io: LoopIo): Generator<PreparedBatch> {
  for (const chunk of splitMicro(examples, size)) yield io.prepare(chunk);
}

/**
 * The training loop, as nanoGPT's reads: for each update, the schedule, micro steps (forward,
 * backward, gradients summed), clip and optimizer step of `trainStep` (train/step.ts, each a named
 * function there), then log, validate and checkpoint when due. It stops only between updates; on
 * pause it checkpoints the last update done (when there is one since the start), so a resumed run
 * continues exactly.
 */
export async function trainingLoop(state: TrainerState, plan: LoopPlan, io: LoopIo): Promise<LoopResult> {
  const startStep = state.adam.step;
  let best = plan.best ?? null;
  let validation: readonly Example[] | undefined;
  for (let step = startStep + 1; step <= plan.totalSteps; step++) {
    const stop = await io.stopRequested();
    if (stop) {
      if (stop === 'pause' && step - 1 > startStep) await io.checkpoint(step - 1, best);
      return { reason: stop === 'pause' ? 'paused' : 'cancelled', step: step - 1, best };
    }
    const micro = splitMicro(await io.batch(step), plan.microBatchSize).map((m) => io.prepare(m));
    // schedule, micro steps, clip, step
    let result = await trainStep(state, micro, plan.train);
    // an f16 overflow skipped the update (loss scale halved, nothing changed): redo it; a scale at
    // its floor throws instead, so this ends
    while (result.skipped) result = await trainStep(state, micro, plan.train);
    // log
    io.logStep(result);
    const last = step === plan.totalSteps;
    // validate
    if (plan.validateEvery > 0 && (step % plan.validateEvery === 0 || last)) {
      validation ??= await io.validation();
      if (validation.length > 0) {
        const v = await validationLoss(state, batchesOf(validation, plan.microBatchSize, io));
        best = bestOf(best, step, v);
        io.logValidation(step, v, best);
      }
    }
    // checkpoint
    if (step % plan.checkpointEvery === 0 || last) await io.checkpoint(step, best);
  }
  return { reason: 'completed', step: plan.totalSteps, best };
}
