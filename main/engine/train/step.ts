import * as tf from '@tensorflow/tfjs-core';
import { sharedView } from '#main/engine/kernels/lean-ops';
import { makeContext } from '#main/engine/model/context';
import { forwardHidden } from '#main/engine/model/model';
import type { ModelWeights } from '#main/engine/model/weights';
import type { ModelConfig } from '#shared/model/config';
import { hashSeed } from '#shared/random';
import { type AdamConfig, type AdamState, adamwUpdate, DEFAULT_ADAM, gradSumSquares } from './adamw';
import type { PreparedBatch } from './batch';
import { outputLoss } from './loss';
import { type LossScaleConfig, lossScaler, updateScale } from './loss-scale';
import { type LrSchedule, lrAt } from './schedule';
import { batchTensors, disposeBatchTensors } from './tensors';

/** Hyperparameters of the update rule. */
export interface TrainOptions {
  readonly schedule: LrSchedule;
  readonly adam?: AdamConfig;
  /** Global-norm gradient clipping threshold; 0 disables (fairseq --clip-norm, 1.0 for fine-tuning). */
  readonly clipNorm?: number;
  /** Label smoothing epsilon (0.1 in the VQA scripts). */
  readonly labelSmoothing?: number;
  /**
   * Dynamic loss scaling (loss-scale.ts): a config turns it on, false off; by default it is on
   * exactly when the matrix products run in f16 (BIOMED_WEBGPU_PRECISION=f16 on webgpu).
   */
  readonly lossScale?: LossScaleConfig | false;
}

/** What one optimizer update reports. */
export interface StepResult {
  /** Update number after this step (1 for the first). */
  readonly step: number;
  /** Mean label-smoothed loss per target token (nats). */
  readonly loss: number;
  readonly lr: number;
  /** Gradient global norm before clipping. */
  readonly gradNorm: number;
  readonly tokensPerSec: number;
  readonly ntokens: number;
  /**
   * With loss scaling: true when the update was skipped (an overflow: no weight, moment or buffer
   * changed, `step` did not advance, loss and gradNorm are NaN; the loop redoes the update).
   */
  readonly skipped?: boolean;
  /** With loss scaling: the scale the next update will use. */
  readonly lossScale?: number;
}

/** The mutable training state of one model. */
export interface TrainerState {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly adam: AdamState;
  /** Run seed: dropout masks derive from (seed, step, micro-batch). */
  readonly seed: number;
}

/** Raised when the loss or gradient is NaN/Inf; no weight or buffer was changed (the step can be skipped). */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
}

function applyBatchNormUpdates(weights: ModelWeights, updates: Map<string, tf.Tensor>): void {
  for (const [name, t] of updates) {
    weights.get(name)?.assign(t);
    t.dispose();
    if (name.endsWith('.running_mean')) {
      const counter = weights.get(name.replace(/running_mean$/, 'num_batches_tracked'));
      if (counter) tf.tidy(() => counter.assign(tf.add(counter, tf.scalar(1, 'int32'))));
    }
  }
  updates.clear();
}

/** Adds `next` into `acc` (both on the device) and frees the operands. */
function accumulate(acc: tf.Tensor | undefined, next: tf.Tensor): tf.Tensor {
  if (!acc) return next;
  const sum = tf.add(acc, next);
  acc.dispose();
  next.dispose();
  return sum;
}

/**
 * Summed gradients of one update's micro-batches, still on the device. Release with
 * {@link releaseGradients} whatever happens; {@link restoreBuffers} first if the update is refused.
 */
interface AccumulatedGradients {
  /** Gradient sums by weight name (summed over micro-batches, not yet normalised). */
  readonly grads: Map<string, tf.Tensor>;
  /** Scalar: the summed token losses of every micro-batch. */
  readonly lossSum: tf.Tensor;
  /** Non-pad target tokens over every micro-batch (fairseq's sample_size). */
  readonly ntokens: number;
  /** BatchNorm buffers as they were before the forward passes changed them. */
  readonly buffersBefore: Map<string, tf.Tensor>;
}

/** The loss and gradient norm of an update, read from the device in one asynchronous read. */
interface UpdateTotals {
  /** Mean loss per target token. */
  readonly loss: number;
  /** Global norm of the normalised gradient, before clipping. */
  readonly gradNorm: number;
}

/**
 * Micro steps: forward and backward over each micro-batch, gradients summed on the device
 * (gradient accumulation), BatchNorm running statistics updated as the forward passes go.
 */
function microSteps(
  state: TrainerState,
  microBatches: readonly PreparedBatch[],
  labelSmoothing: number,
  lossScale: number,
): AccumulatedGradients {
  const { config, weights, adam } = state;
  const vars = [...weights.values()].filter((v) => v.trainable);
  const nameOf = new Map([...weights].map(([n, v]) => [v.name, n]));
  const grads = new Map<string, tf.Tensor>();
  // the buffers' data as it was (a reference, no kernel call; assign gives a variable new data)
  const buffersBefore = new Map(
    [...weights].filter(([, v]) => !v.trainable).map(([n, v]) => [n, sharedView(v)]),
  );
  let lossSum: tf.Tensor | undefined; // scalar, on the device
  let ntokens = 0;
  try {
    for (const [k, mb] of microBatches.entries()) {
      const ctx = makeContext(config, weights, true, hashSeed(state.seed, `${adam.step}:${k}`));
      const inputs = batchTensors(mb, config);
      try {
        const { value, grads: g } = tf.variableGrads(() => {
          const loss = outputLoss(
            ctx,
            forwardHidden(ctx, inputs),
            inputs.targets,
            labelSmoothing,
            inputs.allowed,
          );
          return lossScale === 1 ? loss : tf.mul(loss, lossScale); // scaled: gradients are lossScale x
        }, vars);
        lossSum = accumulate(lossSum, value);
        for (const [vn, gt] of Object.entries(g)) {
          const name = nameOf.get(vn) ?? vn;
          grads.set(name, accumulate(grads.get(name), gt));
        }
        ntokens += mb.ntokens;
        applyBatchNormUpdates(weights, ctx.bnUpdates);
      } finally {
        disposeBatchTensors(inputs);
        for (const t of ctx.bnUpdates.values()) t.dispose();
      }
    }
  } catch (err) {
    const partial = { grads, lossSum: lossSum ?? tf.scalar(0), ntokens, buffersBefore };
    restoreBuffers(state, partial);
    releaseGradients(partial);
    throw err;
  }
  return { grads, lossSum: lossSum ?? tf.scalar(0), ntokens, buffersBefore };
}

/**
 * Reads [loss sum, gradient sum of squares] in one asynchronous read (no synchronous read
 * anywhere: WebGPU under Node has none) and refuses NaN/Inf before any weight changes. With loss
 * scaling (`lossScale` > 0, both sums scaled by it) the same read is the overflow flag: a
 * non-finite value returns 'overflow' instead of throwing; the totals are unscaled.
 */
async function readTotals(
  acc: AccumulatedGradients,
  update: number,
  lossScale?: number,
): Promise<UpdateTotals | 'overflow'> {
  const both = tf.tidy(() => tf.stack([acc.lossSum, gradSumSquares(acc.grads)])); // [2]
  const [scaledLoss, sumSq] = await both.data().finally(() => both.dispose());
  if (lossScale && !(Number.isFinite(scaledLoss) && Number.isFinite(sumSq))) return 'overflow';
  const lossTotal = (scaledLoss ?? Number.NaN) / (lossScale ?? 1);
  if (!Number.isFinite(lossTotal)) throw new NonFiniteLossError(`loss is ${lossTotal} at update ${update}`);
  const scale = 1 / Math.max(acc.ntokens, 1) / (lossScale ?? 1); // fairseq normalises by sample_size (target tokens)
  const gradNorm = Math.sqrt(sumSq ?? Number.NaN) * scale;
  if (!Number.isFinite(gradNorm))
    throw new NonFiniteLossError(`gradient norm is ${gradNorm} at update ${update}`);
  return { loss: lossTotal / Math.max(acc.ntokens, 1), gradNorm };
}

/** Clip: the factor that brings the gradient's global norm down to `clipNorm` (0 disables). */
function clipCoefficient(gradNorm: number, clipNorm: number): number {
  return clipNorm > 0 && gradNorm > clipNorm ? clipNorm / (gradNorm + 1e-6) : 1;
}

/** Step: one AdamW update with the normalised (and unscaled), clipped gradient at learning rate `lr`. */
function optimizerStep(
  state: TrainerState,
  acc: AccumulatedGradients,
  adam: AdamConfig,
  lr: number,
  clipCoef: number,
  lossScale: number,
): void {
  const multiplier = (1 / Math.max(acc.ntokens, 1) / lossScale) * clipCoef;
  adamwUpdate(adam, state.adam, state.weights, acc.grads, lr, multiplier);
}

/** Puts the BatchNorm buffers back as they were before the update's forward passes. */
function restoreBuffers(state: TrainerState, acc: AccumulatedGradients): void {
  for (const [n, b] of acc.buffersBefore) state.weights.get(n)?.assign(b);
}

/** Frees the device tensors of an update (gradients, loss, saved buffers). */
function releaseGradients(acc: AccumulatedGradients): void {
  acc.lossSum.dispose();
  for (const g of acc.grads.values()) g.dispose();
  for (const b of acc.buffersBefore.values()) b.dispose();
}

/**
 * One optimizer update over one or more micro-batches (gradient accumulation): gradients of the
 * summed token losses are added, divided by the total target tokens (fairseq's sample_size),
 * clipped by global norm, and applied with AdamW at the scheduled learning rate: the schedule,
 * micro-step, clip and step stages of the training loop (loop.ts).
 * A refused update (NaN/Inf) changes no weight or buffer; with loss scaling (f16) an overflow is
 * not refused but skipped (`skipped`, the scale halved, nothing changed).
 */
export async function trainStep(
  state: TrainerState,
  microBatches: readonly PreparedBatch[],
  opts: TrainOptions,
): Promise<StepResult> {
  const started = performance.now();
  const update = state.adam.step + 1;
  const lr = lrAt(opts.schedule, update);
  const scaler = lossScaler(state.adam, opts.lossScale);
  const lossScale = scaler?.scale ?? 1;
  const acc = microSteps(state, microBatches, opts.labelSmoothing ?? 0.1, lossScale);
  try {
    const totals = await readTotals(acc, update, scaler?.scale);
    if (totals === 'overflow') {
      if (!updateScale(scaler!, true))
        throw new NonFiniteLossError(
          `loss or gradient not finite at update ${update} with the loss scale at its floor (${lossScale})`,
        );
      restoreBuffers(state, acc);
      const nan = Number.NaN;
      const skipped = { loss: nan, gradNorm: nan, tokensPerSec: 0, skipped: true, lossScale: scaler!.scale };
      return { step: state.adam.step, lr, ntokens: acc.ntokens, ...skipped };
    }
    optimizerStep(
      state,
      acc,
      opts.adam ?? DEFAULT_ADAM,
      lr,
      clipCoefficient(totals.gradNorm, opts.clipNorm ?? 1),
      lossScale,
    );
    if (scaler) updateScale(scaler, false);
    const seconds = (performance.now() - started) / 1000;
    return {
      step: state.adam.step,
      ...totals,
      lr,
      tokensPerSec: acc.ntokens / seconds,
      ntokens: acc.ntokens,
      ...(scaler ? { lossScale: scaler.scale } : {}),
    };
  } catch (err) {
    restoreBuffers(state, acc);
    throw err;
  } finally {
    releaseGradients(acc);
  }
}
