import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel } from './own-kernels';

/**
 * `act(x W^T + b) + residual` as one matrix-product program with its epilogue, where a backend
 * registers LINEAR (webgpu: kernels/webgpu/matmul.ts); elsewhere linearFused returns undefined
 * and the model composes matMul and add as before (wasm/cpu unchanged).
 */
export const LINEAR = 'BiomedLinear';

export interface LinearEpilogue {
  /** Applied after the bias; 'gelu' only without gradients (inference). */
  readonly activation?: 'linear' | 'gelu';
  /** Added last, [n, out]; only without gradients (inference). */
  readonly residual?: tf.Tensor;
}

/**
 * x: [n, in], w: [out, in] (PyTorch layout), b: [out] -> [n, out]. With the default epilogue it
 * is differentiable: the gradient is tfjs' MatMul and Add gradients (dx = dy W, dW = dy^T x,
 * db = column sums of dy) and it keeps only x and W for backward, as matMul + addLean do.
 */
export function linearFused(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  epilogue: LinearEpilogue = {},
): tf.Tensor2D | undefined {
  if (!hasEngineKernel(LINEAR)) return undefined;
  const run = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
    tf
      .engine()
      .runKernel(
        LINEAR,
        { x: xx, w: ww, bias: bb, ...(epilogue.residual ? { residual: epilogue.residual } : {}) },
        { activation: epilogue.activation ?? 'linear' },
      ) as tf.Tensor2D;
  if (epilogue.activation === 'gelu' || epilogue.residual) return run(x, w, b);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, ww, bb] = args as tf.Tensor[];
    (args[3] as unknown as tf.GradSaveFunc)([xx!, ww!]);
    return {
      value: run(xx!, ww!, bb!),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => [tf.matMul(dy, saved[1]!), tf.matMul(dy, saved[0]!, true, false), tf.sum(dy, 0)]),
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}
