import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel } from './own-kernels';

/** One-program GELU and its gradient, where a backend registers them (webgpu: kernels/webgpu/gelu.ts). */
export const GELU = 'BiomedGelu';
export const GELU_GRAD = 'BiomedGeluGrad';

/** GELU by the GELU / GELU_GRAD kernels: one dispatch each way; saves only x. */
function geluKernel(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xx = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xx]);
    return {
      value: tf.engine().runKernel(GELU, { x: xx }) as tf.Tensor,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(GELU_GRAD, { dy, x: saved[0]! }) as tf.Tensor,
      ],
    };
  });
  return f(x);
}

/**
 * GELU (erf form, as torch.nn.functional.gelu) that saves only its input for the backward pass.
 * The tf-op formulation keeps 4 tensors of the FFN's [rows, ffn] size on the tape until backprop
 * (its input, x/2, x/sqrt 2 and 1 + erf); this keeps x and recomputes the other three in the
 * backward pass, then runs exactly the kernels of tfjs' own gradients of that formulation
 * (Multiply, Add, Erf: gradients/*_grad.js), so values and gradients are bit-identical to it
 * (gelu.test.ts). A JS elementwise kernel was tried and was slower (13.0 vs 7.6 ms fwd+bwd on
 * [544,512]): V8's Math.exp loses to the wasm kernels.
 *
 *   gelu(x) = a b,  a = x / 2,  b = 1 + erf(z),  z = x / sqrt 2
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (hasEngineKernel(GELU)) return geluKernel(x);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xx = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xx]);
    const value = tf.mul(tf.mul(xx, 0.5), tf.add(1, tf.erf(tf.mul(xx, Math.SQRT1_2))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const s = saved[0]!;
          const half = tf.scalar(0.5);
          const root = tf.scalar(Math.SQRT1_2);
          const a = tf.mul(s, half); // [..., F]
          const z = tf.mul(s, root);
          const b = tf.add(1, tf.erf(z));
          const da = tf.mul(dy, b); // Multiply: d/da (a b)
          const db = tf.mul(dy, a); // d/db; Add(1, erf) passes it to erf unchanged
          const dz = tf.mul(db, tf.mul(tf.exp(tf.neg(tf.square(z))), 2 / Math.sqrt(Math.PI))); // Erf
          // x's two uses, in tfjs' backward order: z = x root (later on the tape) first
          return [tf.add(tf.mul(dz, root), tf.mul(da, half))];
        }),
    };
  });
  return f(x);
}
