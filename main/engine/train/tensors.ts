import * as tf from '@tensorflow/tfjs-core';
import type { ModelInput } from '#main/engine/model/model';
import type { ModelConfig } from '#shared/model/config';
import type { PreparedBatch } from './batch';

/** Tensors of a prepared batch; dispose with tf.dispose(Object.values(...)) or inside tf.tidy. */
export interface BatchTensors extends ModelInput {
  readonly targets: tf.Tensor2D; // [B, T]
  readonly allowed?: tf.Tensor3D; // [B, T, V]
}

/** Uploads a prepared batch. */
export function batchTensors(b: PreparedBatch, config: ModelConfig): BatchTensors {
  const s = config.imageSize;
  return {
    tokens: tf.tensor2d(b.srcTokens, [b.size, b.srcLen], 'int32'),
    prevTokens: tf.tensor2d(b.prevTokens, [b.size, b.tgtLen], 'int32'),
    targets: tf.tensor2d(b.targets, [b.size, b.tgtLen], 'int32'),
    ...(b.images ? { images: tf.tensor4d(b.images, [b.size, s, s, 3]) } : {}),
    ...(b.imageMask ? { imageMask: tf.tensor1d(b.imageMask) } : {}),
    ...(b.allowed
      ? { allowed: tf.tensor3d(Float32Array.from(b.allowed), [b.size, b.tgtLen, b.vocabSize]) }
      : {}),
  };
}

/** Frees the tensors of {@link batchTensors}. */
export function disposeBatchTensors(t: BatchTensors): void {
  for (const x of [t.tokens, t.prevTokens, t.targets, t.images, t.imageMask, t.allowed]) x?.dispose();
}
