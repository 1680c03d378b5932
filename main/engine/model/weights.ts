import * as tf from '@tensorflow/tfjs-core';
import { PAD } from '#main/engine/tokenizer/vocab';
import { fillNormal } from '#main/engine/util/prng';
import type { ModelConfig } from '#shared/model/config';
import { numel, storedWeights, type WeightSpec } from '#shared/model/weight-shapes';
import { hashSeed } from '#shared/random';

/** The model's tensors by fairseq name, in PyTorch layout; buffers are non-trainable variables. */
export type ModelWeights = Map<string, tf.Variable>;

function initValues(spec: WeightSpec, seed: number): Float32Array | Int32Array {
  const n = numel(spec.shape);
  if (spec.dtype === 'int64') return new Int32Array(n);
  const out = new Float32Array(n);
  switch (spec.init) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'normal':
      return fillNormal(out, 0.02, hashSeed(seed, spec.name));
    case 'conv': {
      const [o = 1, , kh = 1, kw = 1] = spec.shape;
      return fillNormal(out, Math.sqrt(2 / (o * kh * kw)), hashSeed(seed, spec.name));
    }
  }
}

/**
 * Allocates every stored weight of {@link storedWeights} (the same enumeration that
 * parameterCount sums), seeded per name so the values do not depend on allocation order.
 * The padding row of the shared embedding is zero, as in fairseq's Embedding.
 */
export function createWeights(config: ModelConfig, seed: number): ModelWeights {
  const out: ModelWeights = new Map();
  for (const spec of storedWeights(config)) {
    const values = initValues(spec, seed);
    if (spec.name === 'encoder.embed_tokens.weight')
      values.fill(0, PAD * config.dModel, (PAD + 1) * config.dModel);
    const t = tf.tensor(values, [...spec.shape], spec.dtype === 'int64' ? 'int32' : 'float32');
    out.set(spec.name, tf.variable(t, spec.kind === 'param')); // unnamed: several models may coexist
    t.dispose();
  }
  return out;
}

/** The weight of that name; throws with the name when the model has none. */
export function weight(weights: ReadonlyMap<string, tf.Variable>, name: string): tf.Variable {
  const w = weights.get(name);
  if (!w) throw new Error(`model has no weight '${name}'`);
  return w;
}

/** Trainable variables only (what the optimizer updates). */
export function trainable(weights: ReadonlyMap<string, tf.Variable>): tf.Variable[] {
  return [...weights.values()].filter((v) => v.trainable);
}

/** Frees every weight. */
export function disposeWeights(weights: ModelWeights): void {
  for (const v of weights.values()) v.dispose();
  weights.clear();
}
