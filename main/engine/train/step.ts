import * as tf from '@tensorflow/tfjs-core';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import type { ModelWeights } from '#main/engine/model/weights';
import type { ModelConfig } from '#shared/model/config';
import { hashSeed } from '#shared/random';
import { type AdamConfig, type AdamState, adamwUpdate, DEFAULT_ADAM, gradSumSquares } from './adamw';
import type { PreparedBatch } from './batch';
import { trainingLoss } from './loss';
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
 * One optimizer update over one or more micro-batches (gradient accumulation): gradients of the
 * summed token losses are added, divided by the total target tokens (fairseq's sample_size),
 * clipped by global norm, and applied with AdamW at the scheduled learning rate.
 *
 * Everything stays on the device until one asynchronous read of [loss sum, gradient sum of
 * squares] after the last micro-batch (the progress report and the clipping coefficient need
 * them; the NaN/Inf check happens before any weight changes). No synchronous read anywhere:
 * WebGPU under Node has none.
 */
export async function trainStep(
  state: TrainerState,
  microBatches: readonly PreparedBatch[],
  opts: TrainOptions,
): Promise<StepResult> {
  const started = performance.now();
  const { config, weights, adam } = state;
  const vars = [...weights.values()].filter((v) => v.trainable);
  const nameOf = new Map([...weights].map(([n, v]) => [v.name, n]));
  const grads = new Map<string, tf.Tensor>();
  // BatchNorm buffers change during the forward passes; restored if the step is refused
  const buffers = new Map([...weights].filter(([, v]) => !v.trainable).map(([n, v]) => [n, tf.clone(v)]));
  let lossSum: tf.Tensor | undefined; // scalar, on the device
  let ntokens = 0;
  try {
    for (const [k, mb] of microBatches.entries()) {
      const ctx = makeContext(config, weights, true, hashSeed(state.seed, `${adam.step}:${k}`));
      const inputs = batchTensors(mb, config);
      try {
        const { value, grads: g } = tf.variableGrads(
          () =>
            trainingLoss(forward(ctx, inputs), inputs.targets, opts.labelSmoothing ?? 0.1, inputs.allowed),
          vars,
        );
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
    const both = tf.tidy(() => tf.stack([lossSum ?? tf.scalar(0), gradSumSquares(grads)])); // [2]
    const [lossTotal, sumSq] = await both.data().finally(() => both.dispose());
    if (!Number.isFinite(lossTotal))
      throw new NonFiniteLossError(`loss is ${lossTotal} at update ${adam.step + 1}`);
    const scale = 1 / Math.max(ntokens, 1); // fairseq normalises by sample_size (target tokens)
    const gradNorm = Math.sqrt(sumSq ?? Number.NaN) * scale;
    if (!Number.isFinite(gradNorm))
      throw new NonFiniteLossError(`gradient norm is ${gradNorm} at update ${adam.step + 1}`);
    const clip = opts.clipNorm ?? 1;
    const coef = clip > 0 && gradNorm > clip ? clip / (gradNorm + 1e-6) : 1;
    const lr = lrAt(opts.schedule, adam.step + 1);
    adamwUpdate(opts.adam ?? DEFAULT_ADAM, adam, weights, grads, lr, scale * coef);
    const seconds = (performance.now() - started) / 1000;
    return {
      step: adam.step,
      loss: (lossTotal ?? Number.NaN) / Math.max(ntokens, 1),
      lr,
      gradNorm,
      tokensPerSec: ntokens / seconds,
      ntokens,
    };
  } catch (err) {
    for (const [n, b] of buffers) weights.get(n)?.assign(b);
    throw err;
  } finally {
    lossSum?.dispose();
    for (const g of grads.values()) g.dispose();
    for (const b of buffers.values()) b.dispose();
  }
}
