import * as tf from '@tensorflow/tfjs-core';
import { makeContext } from '#main/engine/model/context';
import { forward } from '#main/engine/model/model';
import { createWeights, disposeWeights, trainable } from '#main/engine/model/weights';
import type { ModelConfig } from '#shared/model/config';
import { type PresetName, presetConfig } from '#shared/model/presets';

/** The batch a train-step benchmark runs: same shapes in the PyTorch peer. */
export interface Workload {
  readonly batch: number;
  readonly sourceLength: number; // text tokens on the encoder side
  readonly targetLength: number;
  readonly withImage: boolean;
}

export const DEFAULT_WORKLOAD: Workload = { batch: 8, sourceLength: 32, targetLength: 32, withImage: true };

export interface TrainStepHarness {
  readonly config: ModelConfig;
  /** One full step: forward, cross-entropy, backward, Adam update. Returns the loss. */
  step(): number;
  dispose(): void;
}

function ids(b: number, n: number, vocab: number, seed: number): tf.Tensor2D {
  // Random non-special ids (>= 4) so no position is padding.
  return tf.tidy(() => tf.cast(tf.randomUniform([b, n], 4, vocab, 'float32', seed), 'int32')) as tf.Tensor2D;
}

/** Builds the model engineer's model at `preset` and a teacher-forced train step on random data. */
export function makeTrainStep(preset: PresetName, w: Workload, vocabSize?: number): TrainStepHarness {
  const config = presetConfig(preset, vocabSize ? { vocabSize } : {});
  const weights = createWeights(config, 1);
  const vars = trainable(weights);
  const optimizer = tf.train.adam(1e-4);
  const tokens = ids(w.batch, w.sourceLength, config.vocabSize, 1);
  const prevTokens = ids(w.batch, w.targetLength, config.vocabSize, 2);
  const targets = ids(w.batch, w.targetLength, config.vocabSize, 3);
  const images = w.withImage
    ? (tf.randomNormal([w.batch, config.imageSize, config.imageSize, 3], 0, 1, 'float32', 4) as tf.Tensor4D)
    : undefined;
  const imageMask = w.withImage ? (tf.ones([w.batch]) as tf.Tensor1D) : undefined;
  let seed = 0;
  const step = (): number => {
    const ctx = makeContext(config, weights, true, seed++);
    const loss = optimizer.minimize(
      () => {
        const logits = forward(ctx, { tokens, prevTokens, ...(images ? { images, imageMask } : {}) }); // [B, T, V]
        const onehot = tf.oneHot(tf.reshape(targets, [-1]), config.vocabSize); // [B*T, V]
        return tf.losses.softmaxCrossEntropy(onehot, tf.reshape(logits, [-1, config.vocabSize])) as tf.Scalar;
      },
      true,
      vars,
    );
    for (const [name, value] of ctx.bnUpdates) {
      weights.get(name)?.assign(value);
      value.dispose();
    }
    const v = loss ? loss.dataSync()[0]! : Number.NaN;
    loss?.dispose();
    return v;
  };
  return {
    config,
    step,
    dispose: () => {
      optimizer.dispose();
      disposeWeights(weights);
      tf.dispose([
        tokens,
        prevTokens,
        targets,
        ...(images ? [images] : []),
        ...(imageMask ? [imageMask] : []),
      ]);
    },
  };
}
