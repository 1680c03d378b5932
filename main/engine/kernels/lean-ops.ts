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
  const r = axes.length > 0 ? tf.sum(dy, axes) : dy;
  // A reshape to the shape it has is a kernel call that changes nothing; a gradient returned
  // as is must still be a tensor of its own (the backward pass frees and sums them one by one).
  if (!tf.util.arraysEqual(r.shape, shape)) return tf.reshape(r, shape);
  return r === dy ? sharedView(dy) : r;
}

/**
 * A new tensor on the same data as `x` (what Reshape and Identity do on cpu, wasm and webgpu)
 * without a kernel call, outside a recorded tape; a tf.clone elsewhere.
 */
export function sharedView(x: tf.Tensor): tf.Tensor {
  const e = tf.engine() as unknown as {
    backendName: string;
    backend: { incRef(dataId: object): void };
    state: { activeTape: unknown[] | null; gradientDepth: number };
    makeTensorFromTensorInfo(info: { dataId: object; shape: number[]; dtype: tf.DataType }): tf.Tensor;
  };
  if (e.state.gradientDepth > 0 || x.dtype === 'string' || !SHARING.has(e.backendName)) return tf.clone(x);
  e.backend.incRef(x.dataId);
  return e.makeTensorFromTensorInfo({ dataId: x.dataId, shape: [...x.shape], dtype: x.dtype });
}

const SHARING = new Set(['cpu', 'wasm', 'webgpu']);

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
          const c0 = saved[0]!;
          const res = tf.mul(dy, c0.dtype === 'float32' ? c0 : tf.cast(c0, 'float32')); // tfjs' Multiply gradient for a
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
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => [tf.mul(dy, tf.step(saved[0]!))]), // step keeps float32: no cast
    };
  });
  return f(x);
}
