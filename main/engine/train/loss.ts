import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothedCE } from '#main/engine/kernels/label-smoothed-ce';
import { PAD } from '#main/engine/tokenizer/vocab';

/**
 * fairseq/OFA label-smoothed cross entropy, summed over non-pad target tokens.
 * With `allowed` (a closed answer set, from the trie), disallowed logits are masked out before
 * the softmax and the smoothing mass is spread only over the allowed tokens (OFA's
 * adjust_label_smoothed_cross_entropy): loss = (1 - eps - eps_i) nll + eps_i * smooth,
 * eps_i = eps / (allowed - 1).
 * @param logits  [B, T, V]
 * @param targets [B, T] int32, <pad> ignored
 * @param allowed [B, T, V] float 0/1, optional
 * @returns scalar sum over non-pad targets
 */
export function labelSmoothedLoss(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  epsilon: number,
  allowed?: tf.Tensor3D,
): tf.Scalar {
  const v = logits.shape[2];
  const masked = allowed ? tf.add(logits, tf.mul(tf.sub(1, allowed), -1e9)) : logits; // [B, T, V]
  const lprobs = tf.logSoftmax(masked, -1); // [B, T, V]
  const oneHot = tf.oneHot(targets, v); // [B, T, V]
  const nll = tf.neg(tf.sum(tf.mul(lprobs, oneHot), -1)); // [B, T]
  let loss: tf.Tensor = nll;
  if (epsilon > 0) {
    const smooth = tf.neg(tf.sum(allowed ? tf.mul(lprobs, allowed) : lprobs, -1)); // [B, T]
    const count = allowed ? tf.sum(allowed, -1) : tf.fill(nll.shape, v); // [B, T]
    // eps_i = eps / (count - 1); with a single allowed token smooth == nll and the term vanishes
    const epsI = tf.div(epsilon, tf.maximum(tf.sub(count, 1), 1)); // [B, T]
    loss = tf.add(tf.mul(nll, 1 - epsilon), tf.mul(epsI, tf.sub(smooth, nll)));
  }
  const keep = tf.cast(tf.notEqual(targets, PAD), 'float32'); // [B, T]
  return tf.sum(tf.mul(loss, keep)) as tf.Scalar;
}

/**
 * The training loss: the same sum as labelSmoothedLoss (same masking, smoothing over the allowed
 * tokens, <pad> ignored), computed by the fused kernel of kernels/label-smoothed-ce.ts where it is
 * registered (wasm, cpu) and by labelSmoothedLoss otherwise. labelSmoothedLoss stays the tf-op
 * reference the kernel is tested against.
 * @param logits  [B, T, V]
 * @param targets [B, T] int32, <pad> ignored
 * @param allowed [B, T, V] float 0/1, optional
 * @returns scalar sum over non-pad targets
 */
export function trainingLoss(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  epsilon: number,
  allowed?: tf.Tensor3D,
): tf.Scalar {
  return tf.tidy(
    () =>
      labelSmoothedCE(logits, targets, epsilon, allowed, PAD) ??
      labelSmoothedLoss(logits, targets, epsilon, allowed),
  );
}
