import * as tf from '@tensorflow/tfjs-core';
import { makeContext } from '#main/engine/model/context';
import { forwardHidden } from '#main/engine/model/model';
import type { ModelWeights } from '#main/engine/model/weights';
import type { ModelConfig } from '#shared/model/config';
import type { PreparedBatch } from './batch';
import { outputLoss } from './loss';
import { batchTensors, disposeBatchTensors } from './tensors';

/** The metric the validation stage reports (nats per target token; lower is better). */
export const VALIDATION_METRIC = 'val/loss';

/** What one validation pass measured. */
export interface ValidationResult {
  /** Mean negative log-likelihood per non-pad target token (no label smoothing). */
  readonly loss: number;
  readonly ntokens: number;
  readonly examples: number;
}

/** The best validation score of a run so far: the slot a checkpoint carries (`extra.bestValidation`). */
export interface BestValidation {
  readonly metric: typeof VALIDATION_METRIC;
  readonly value: number;
  /** Update at which it was measured. */
  readonly step: number;
}

/**
 * Validation loss of the model in eval mode (no dropout, BatchNorm on its running statistics):
 * token NLL summed over every batch on the device, then one asynchronous read. Answer-trie masks
 * (`allowed`) apply as in training, so the figure is comparable with the training loss at
 * label smoothing 0. Weights and buffers are not changed.
 */
export async function validationLoss(
  state: { readonly config: ModelConfig; readonly weights: ModelWeights },
  batches: Iterable<PreparedBatch>,
): Promise<ValidationResult> {
  let sum: tf.Tensor = tf.scalar(0);
  let ntokens = 0;
  let examples = 0;
  try {
    for (const b of batches) {
      const inputs = batchTensors(b, state.config);
      try {
        const ctx = makeContext(state.config, state.weights, false);
        const next = tf.tidy(() =>
          tf.add(sum, outputLoss(ctx, forwardHidden(ctx, inputs), inputs.targets, 0, inputs.allowed)),
        );
        sum.dispose();
        sum = next;
      } finally {
        disposeBatchTensors(inputs);
      }
      ntokens += b.ntokens;
      examples += b.size;
    }
    const [total] = await sum.data();
    return { loss: (total ?? Number.NaN) / Math.max(ntokens, 1), ntokens, examples };
  } finally {
    sum.dispose();
  }
}

/** The better (lower) of the best so far and a new validation result. */
export function bestOf(
  best: BestValidation | null,
  step: number,
  r: ValidationResult,
): BestValidation | null {
  if (!Number.isFinite(r.loss) || (best && best.value <= r.loss)) return best;
  return { metric: VALIDATION_METRIC, value: r.loss, step };
}

/** A stored `bestValidation` slot, if it is one (checkpoints written before it existed have none). */
export function parseBestValidation(x: unknown): BestValidation | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  return o['metric'] === VALIDATION_METRIC && typeof o['value'] === 'number' && typeof o['step'] === 'number'
    ? { metric: VALIDATION_METRIC, value: o['value'], step: o['step'] }
    : null;
}
