import * as tf from '@tensorflow/tfjs-core';

/**
 * Elementwise ops whose gradients keep less for the backward pass than tfjs' own, with the
 * same arithmetic: each gradient runs exactly the kernels of tfjs-core's gradient for the op
 * (gradients/Add_grad.js, Multiply_grad.js, Relu_grad.js), so values and gradients are
 * bit-identical (lean-ops.test.ts). tfjs saves both inputs of Add and Multiply, even where only
 * their shapes or one of them is read; in the train step that kept alive the bias-free matmul
 * outputs, every residual branch and every dropout input until backprop.
 */

/** Sums `dy` over the axes broadcast from `shape` and gives it that shape (tfjs' Add gradient). */
export function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/** a + b with broadcasting; saves nothing for backward (tfjs saves a and b for their shapes). */
export function addLean(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: tf.add(args[0] as tf.Tensor, args[1] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) =>
      tf.tidy(() => [unbroadcast(dy, a.shape, outShape), unbroadcast(dy, b.shape, outShape)]),
  }));
  return f(a, b);
}

/**
 * x * c for a `c` that is not differentiated (a dropout multiplier, a drop-path factor, a
 * constant scale): saves only c (tfjs also saves x, for c's gradient). c broadcasts to x.
 */
export function mulByConstant(x: tf.Tensor, c: tf.Tensor | number): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xx = args[0] as tf.Tensor;
    const cc = typeof c === 'number' ? tf.scalar(c) : c;
    (args[1] as tf.GradSaveFunc)([cc]);
    const value = tf.mul(xx, cc);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const res = tf.mul(dy, tf.cast(saved[0]!, 'float32')); // tfjs' Multiply gradient for a
          const axes = tf.backend_util.getReductionAxes(xx.shape, value.shape);
          return [axes.length > 0 ? tf.reshape(tf.sum(res, axes), xx.shape) : res];
        }),
    };
  });
  return f(x);
}

/**
 * max(x, 0) that saves its output instead of its input: step(relu(x)) = step(x), so the
 * gradient is tfjs' own, and the input (a BatchNorm or residual sum) need not outlive the forward
 * pass, while the output is kept by the next convolution anyway.
 */
export function reluLean(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const value = tf.relu(args[0] as tf.Tensor);
    (args[1] as tf.GradSaveFunc)([value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => [tf.mul(dy, tf.cast(tf.step(saved[0]!), 'float32'))]),
    };
  });
  return f(x);
}
