import type * as tf from '@tensorflow/tfjs-core';
import { fusedAdamW } from '#main/engine/kernels/adamw-fused';
import { sumSquares, sumSquaresTensor } from '#main/engine/kernels/sum-squares';

/** Adam hyperparameters (fairseq defaults of the BiomedGPT scripts). */
export interface AdamConfig {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled weight decay: p -= lr * wd * p. */
  readonly weightDecay: number;
  /**
   * fairseq's Adam decays every parameter (biases, LayerNorm and embeddings included); that is
   * the default here too. Set true to skip 1-D weights (biases, norms, c_attn) as many AdamW
   * recipes do.
   */
  readonly skipDecayOn1d: boolean;
}

export const DEFAULT_ADAM: AdamConfig = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0.01,
  skipDecayOn1d: false,
};

/** Optimizer state by weight name; plain tensors so it can be written to safetensors. */
export interface AdamState {
  /** Updates applied so far. */
  step: number;
  readonly m: Map<string, tf.Tensor>;
  readonly v: Map<string, tf.Tensor>;
}

export function createAdamState(): AdamState {
  return { step: 0, m: new Map(), v: new Map() };
}

export function disposeAdamState(s: AdamState): void {
  for (const t of [...s.m.values(), ...s.v.values()]) t.dispose();
  s.m.clear();
  s.v.clear();
}

/** sqrt(sum of squares) over all gradients (one fused kernel where registered; reads asynchronously). */
export async function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): Promise<number> {
  return Math.sqrt(await sumSquares([...grads.values()]));
}

/** Sum of squares over all gradients as a scalar left on the device (read it with the loss). */
export function gradSumSquares(grads: ReadonlyMap<string, tf.Tensor>): tf.Scalar {
  return sumSquaresTensor([...grads.values()]);
}

/**
 * One AdamW update (fairseq's Adam: bias-corrected moments, eps added after the sqrt,
 * decoupled decay), in place on `weights`. Gradients are multiplied by `gradScale` first
 * (1 / target tokens times the clipping coefficient), inside the fused kernel.
 */
export function adamwUpdate(
  cfg: AdamConfig,
  state: AdamState,
  weights: ReadonlyMap<string, tf.Variable>,
  grads: ReadonlyMap<string, tf.Tensor>,
  lr: number,
  gradScale = 1,
): void {
  state.step++;
  const t = state.step;
  const stepSize = (lr * Math.sqrt(1 - cfg.beta2 ** t)) / (1 - cfg.beta1 ** t);
  for (const [name, g] of grads) {
    const p = weights.get(name);
    if (!p) throw new Error(`gradient for unknown weight '${name}'`);
    const m0 = state.m.get(name);
    const v0 = state.v.get(name);
    const decay = cfg.skipDecayOn1d && p.rank <= 1 ? 0 : cfg.weightDecay;
    const [next, m, v] = fusedAdamW(p, g, m0, v0, {
      beta1: cfg.beta1,
      beta2: cfg.beta2,
      eps: cfg.eps,
      decayRate: lr * decay,
      stepSize,
      gradScale,
    });
    p.assign(next);
    next.dispose();
    m0?.dispose();
    v0?.dispose();
    state.m.set(name, m);
    state.v.set(name, v);
  }
}
