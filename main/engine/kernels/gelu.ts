import * as tf from '@tensorflow/tfjs-core';

/**
 * GELU (erf form, as torch.nn.functional.gelu) that saves only its input for the backward pass.
 * The tf-op formulation keeps its ~4 intermediates of the FFN's [rows, ffn] size on the tape until
 * backprop (cpu-m: 96 MiB of the 1.7 GB peak); this recomputes Phi(x) in the backward pass with
 * the same wasm Erf/Exp kernels instead: a memory-for-time trade (bench/kernels.ts: 20.8 vs 15.5
 * ms CPU fwd+bwd on [768,1024]). A JS elementwise kernel was tried and was slower
 * (13.0 vs 7.6 ms fwd+bwd on [544,512]): V8's Math.exp loses to the wasm kernels.
 *
 *   gelu(x)  = x Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2
 *   gelu'(x) = Phi(x) + x exp(-x^2 / 2) / sqrt(2 pi)
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xx = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xx]);
    const value = tf.tidy(() => tf.mul(tf.mul(xx, 0.5), tf.add(1, tf.erf(tf.mul(xx, Math.SQRT1_2)))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const s = saved[0]!;
          const phi = tf.mul(tf.add(1, tf.erf(tf.mul(s, Math.SQRT1_2))), 0.5);
          const density = tf.mul(tf.exp(tf.mul(tf.square(s), -0.5)), 1 / Math.sqrt(2 * Math.PI));
          return [tf.mul(dy, tf.add(phi, tf.mul(s, density)))];
        }),
    };
  });
  return f(x);
}
