import * as tf from '@tensorflow/tfjs-core';
import { labelSmoothedCE } from '#main/engine/kernels/label-smoothed-ce';
import { maxBindingBytes, onHost } from '#main/engine/kernels/webgpu/flat';
import type { WebGpuLike } from '#main/engine/kernels/webgpu/program';
import type { ForwardContext } from '#main/engine/model/context';
import { projectOutput } from '#main/engine/model/decoder';
import { weight } from '#main/engine/model/weights';
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

/**
 * The largest buffer one kernel may bind on the active backend, in bytes: the WebGPU adapter's
 * maxStorageBufferBindingSize (2 GiB - 4 on NVIDIA under Dawn, 128 MiB where limits are not
 * raised); unbounded on wasm and cpu.
 */
export function largestBindingBytes(): number {
  if (tf.getBackend() !== 'webgpu') return Number.POSITIVE_INFINITY;
  return maxBindingBytes(tf.backend() as unknown as WebGpuLike);
}

/** Target rows per chunk so one [rows, V] float32 buffer (logits, softmax, dlogits, mask) fits `bytes`. */
export function lossChunkRows(vocab: number, bytes: number): number {
  const rows = Math.floor(bytes / (4 * vocab));
  if (rows < 1)
    throw new Error(`one row of ${vocab} logits (${4 * vocab} bytes) exceeds a ${bytes}-byte buffer`);
  return rows;
}

/**
 * Rows [r0, r0 + m) of a [n, V] tensor: from its host values when the whole is too large to bind
 * and still on the host (batchTensors makes the answer mask there and only the loss reads it).
 */
function rowsOf(t: tf.Tensor2D, r0: number, m: number, maxBytes: number): tf.Tensor2D {
  const v = t.shape[1];
  const gpu = tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as WebGpuLike) : undefined;
  if (t.size * 4 <= maxBytes || (gpu && !onHost(gpu, t))) return tf.slice(t, [r0, 0], [m, v]);
  return tf.tensor2d((t.dataSync() as Float32Array).subarray(r0 * v, (r0 + m) * v), [m, v]);
}

/**
 * The training loss from the decoder's last hidden states: the output projection and
 * {@link trainingLoss} over chunks of target rows, summed, so no logits buffer (nor the softmax
 * the loss keeps, nor its gradient, nor the mask chunk) exceeds `maxChunkBytes` (default: the
 * backend's largest binding; one chunk on wasm and cpu). The same sum as trainingLoss on the
 * whole logits, and the same gradients, up to float32 summation order.
 * @param hidden  [B, T, d] (model forwardHidden)
 * @param targets [B, T] int32, <pad> ignored
 * @param allowed [B, T, V] float 0/1, optional
 * @returns scalar sum over non-pad targets
 */
export function outputLoss(
  ctx: ForwardContext,
  hidden: tf.Tensor3D,
  targets: tf.Tensor2D,
  epsilon: number,
  allowed?: tf.Tensor3D,
  maxChunkBytes = largestBindingBytes(),
): tf.Scalar {
  const [b, t, d] = hidden.shape;
  const n = b * t;
  const v = weight(ctx.weights, 'encoder.embed_tokens.weight').shape[0]!;
  const rows = Math.min(n, lossChunkRows(v, maxChunkBytes));
  return tf.tidy(() => {
    const x = tf.reshape(hidden, [n, d]) as tf.Tensor2D; // [n, d]
    const tg = tf.reshape(targets, [n]); // [n]
    const al = allowed && (tf.reshape(allowed, [n, v]) as tf.Tensor2D); // [n, V]
    let sum: tf.Scalar | undefined;
    for (let r0 = 0; r0 < n; r0 += rows) {
      const m = Math.min(rows, n - r0);
      const one = m === n;
      const logits = projectOutput(ctx, one ? x : tf.slice(x, [r0, 0], [m, d])); // [m, V]
      const tc = one ? tg : tf.slice(tg, [r0], [m]); // [m]
      const ac = al && (one ? al : rowsOf(al, r0, m, maxChunkBytes)); // [m, V]
      const part = trainingLoss(
        tf.reshape(logits, [1, m, v]),
        tf.reshape(tc, [1, m]),
        epsilon,
        ac && tf.reshape(ac, [1, m, v]),
      );
      sum = sum ? (tf.add(sum, part) as tf.Scalar) : part;
    }
    return sum ?? tf.scalar(0);
  });
}
