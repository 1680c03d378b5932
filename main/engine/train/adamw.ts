import * as tf from '@tensorflow/tfjs-core';

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

/** sqrt(sum of squares) over all gradients. */
export function globalNorm(grads: ReadonlyMap<string, tf.Tensor>): number {
  return tf.tidy(() => {
    const sq = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return Math.sqrt(sq.length ? (tf.addN(sq).dataSync()[0] ?? 0) : 0);
  });
}

/**
 * One AdamW update (fairseq's Adam: bias-corrected moments, eps added after the sqrt,
 * decoupled decay), in place on `weights`. `grads` are already normalised and clipped.
 */
export function adamwUpdate(
  cfg: AdamConfig,
  state: AdamState,
  weights: ReadonlyMap<string, tf.Variable>,
  grads: ReadonlyMap<string, tf.Tensor>,
  lr: number,
): void {
  state.step++;
  const t = state.step;
  const stepSize = (lr * Math.sqrt(1 - cfg.beta2 ** t)) / (1 - cfg.beta1 ** t);
  for (const [name, g] of grads) {
    const p = weights.get(name);
    if (!p) throw new Error(`gradient for unknown weight '${name}'`);
    const m0 = state.m.get(name);
    const v0 = state.v.get(name);
    const [m, v] = tf.tidy(() => {
      const m1 = tf.add(tf.mul(m0 ?? tf.zerosLike(g), cfg.beta1), tf.mul(g, 1 - cfg.beta1));
      const v1 = tf.add(tf.mul(v0 ?? tf.zerosLike(g), cfg.beta2), tf.mul(tf.square(g), 1 - cfg.beta2));
      const decay = cfg.skipDecayOn1d && p.rank <= 1 ? 0 : cfg.weightDecay;
      let next: tf.Tensor = p;
      if (decay > 0) next = tf.sub(next, tf.mul(p, lr * decay));
      next = tf.sub(next, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), cfg.eps)), stepSize));
      p.assign(next);
      return [m1, v1];
    });
    m0?.dispose();
    v0?.dispose();
    state.m.set(name, m as tf.Tensor);
    state.v.set(name, v as tf.Tensor);
  }
}
