import * as tf from '@tensorflow/tfjs-core';
import { type AdamWScalars, fusedAdamW } from './adamw-fused';
import { hasEngineKernel } from './own-kernels';

/**
 * AdamW over a whole parameter set in one kernel call: on WebGPU (./webgpu/adamw-many.ts) the
 * parameters, gradients and moments are gathered into a few flat chunks by buffer copies and
 * updated with one dispatch per chunk, instead of three dispatches per weight. Where no such
 * kernel is registered (wasm, cpu) it is the per-weight fused update, unchanged.
 */

export const FUSED_ADAMW_MANY = 'BiomedAdamWMany';

/** One weight of the set. */
export interface AdamWItem {
  readonly p: tf.Tensor;
  readonly g: tf.Tensor;
  /** Undefined on the first update: zeros. */
  readonly m: tf.Tensor | undefined;
  readonly v: tf.Tensor | undefined;
  /** lr * weightDecay for this weight (0: none). */
  readonly decayRate: number;
}

export type AdamWManyScalars = Omit<AdamWScalars, 'decayRate'>;

/** Attributes of the kernel (besides the scalars). */
export interface AdamWManyAttrs extends AdamWManyScalars {
  readonly count: number;
  readonly decayRates: number[];
  /** Elements per chunk at most (0: the kernel's own cap); the tests set a small one. */
  readonly maxChunkElems: number;
}

/** Input names of item i: p{i}, g{i}, m{i}, v{i} (m, v absent on the first update). */
export const itemInput = (kind: 'p' | 'g' | 'm' | 'v', i: number): string => `${kind}${i}`;

/** New [p, m, v] per item, in order (the caller assigns p and keeps m, v). */
export function fusedAdamWMany(
  items: readonly AdamWItem[],
  s: AdamWManyScalars,
  maxChunkElems = 0,
): [tf.Tensor, tf.Tensor, tf.Tensor][] {
  if (items.length > 0 && hasEngineKernel(FUSED_ADAMW_MANY)) {
    const inputs: Record<string, tf.Tensor> = {};
    items.forEach((it, i) => {
      inputs[itemInput('p', i)] = it.p;
      inputs[itemInput('g', i)] = it.g;
      if (it.m) inputs[itemInput('m', i)] = it.m;
      if (it.v) inputs[itemInput('v', i)] = it.v;
    });
    const attrs: AdamWManyAttrs = {
      ...s,
      count: items.length,
      decayRates: items.map((it) => it.decayRate),
      maxChunkElems,
    };
    const outs = tf.engine().runKernel(FUSED_ADAMW_MANY, inputs, { ...attrs }) as unknown as tf.Tensor[];
    return items.map((_, i) => [outs[3 * i]!, outs[3 * i + 1]!, outs[3 * i + 2]!]);
  }
  return items.map((it) => fusedAdamW(it.p, it.g, it.m, it.v, { ...s, decayRate: it.decayRate }));
}
