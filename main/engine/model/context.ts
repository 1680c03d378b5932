import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '#shared/model/config';
import { mulberry32 } from '#shared/random';

/** What every block of the forward pass needs. */
export interface ForwardContext {
  readonly config: ModelConfig;
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** Training mode: dropout, drop-path and BatchNorm batch statistics. */
  readonly training: boolean;
  /** A fresh seed for the next random mask (reproducible given the context seed). */
  nextSeed(): number;
  /** New BatchNorm running statistics computed in training mode, kept until the step applies them. */
  readonly bnUpdates: Map<string, tf.Tensor>;
}

/** A forward context; `seed` fixes every dropout mask of the pass. */
export function makeContext(
  config: ModelConfig,
  weights: ReadonlyMap<string, tf.Variable>,
  training: boolean,
  seed = 0,
): ForwardContext {
  const rand = mulberry32(seed);
  return {
    config,
    weights,
    training,
    nextSeed: () => Math.floor(rand() * 2 ** 31),
    bnUpdates: new Map(),
  };
}
