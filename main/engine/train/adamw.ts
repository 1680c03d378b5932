import type * as tf from '@tensorflow/tfjs-core';
import { fusedAdamWMany } from '#main/engine/kernels/adamw-many';
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
  const names = [...grads.keys()];
  const items = names.map((name) => {
    const p = weights.get(name);
    if (!p) throw new Error(`gradient for unknown weight '${name}'`);
    const decay = cfg.skipDecayOn1d && p.rank <= 1 ? 0 : cfg.weightDecay;
    return { p, g: grads.get(name)!, m: state.m.get(name), v: state.v.get(name), decayRate: lr * decay };
  });
  // One kernel call for the whole set on webgpu; the per-weight fused update elsewhere.
  const next = fusedAdamWMany(items, {
    beta1: cfg.beta1,
    beta2: cfg.beta2,
    eps: cfg.eps,
    stepSize,
    gradScale,
  });
  names.forEach((name, i) => {
    const [p1, m, v] = next[i]!;
    const it = items[i]!;
    it.p.assign(p1);
    p1.dispose();
    it.m?.dispose();
    it.v?.dispose();
    state.m.set(name, m);
    state.v.set(name, v);
  });
}
