import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { DENSE, DENSE_GRAD } from '#main/engine/kernels/dense';
import { LINEAR } from '#main/engine/kernels/linear';

const prod = (xs: readonly number[]) => xs.reduce((p, x) => p * x, 1);

/** Multiply-add FLOPs (2 per MAC) of one matmul/conv kernel call. */
function kernelFlops(
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): number {
  if (name === LINEAR) {
    // x [n, in] W^T [out, in] (kernels/linear.ts)
    const [n, k] = inputs['x']!.shape as [number, number];
    return 2 * n * k * inputs['w']!.shape[0]!;
  }
  if (name === DENSE || name === DENSE_GRAD) {
    // x [..., in] W^T, W [out, in] (kernels/dense.ts); the gradient is two such products (dx, dW)
    const x = inputs['x']!.shape;
    const [out, k] = inputs['w']!.shape as [number, number];
    return (name === DENSE ? 2 : 4) * (prod(x) / k) * k * out;
  }
  if (name === tf.BatchMatMul || name === tf._FusedMatMul) {
    const a = inputs['a']!.shape;
    const b = inputs['b']!.shape;
    const k = attrs['transposeA'] ? a[a.length - 2]! : a[a.length - 1]!;
    const m = attrs['transposeA'] ? a[a.length - 1]! : a[a.length - 2]!;
    const n = attrs['transposeB'] ? b[b.length - 2]! : b[b.length - 1]!;
    const batch = Math.max(prod(a.slice(0, -2)), prod(b.slice(0, -2)));
    return 2 * batch * m * n * k;
  }
  if (name === tf.Conv2D || name === tf.Conv2DBackpropFilter || name === tf.Conv2DBackpropInput) {
    // Each is one convolution's worth of MACs: 2 * B * Ho * Wo * O * kh * kw * C.
    const dy = name === tf.Conv2D ? undefined : inputs['dy']!.shape;
    const filterShape = (
      name === tf.Conv2DBackpropFilter ? attrs['filterShape'] : inputs['filter']!.shape
    ) as number[];
    const [kh, kw, c, o] = filterShape as [number, number, number, number];
    const out = dy ?? outShapeOf(inputs['x']!.shape, filterShape, attrs);
    return 2 * out[0]! * out[1]! * out[2]! * o * kh * kw * c;
  }
  return 0;
}

function outShapeOf(x: readonly number[], filter: number[], attrs: Record<string, unknown>): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    attrs['strides'] as [number, number],
    (attrs['dilations'] as [number, number]) ?? 1,
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
  );
  return [info.batchSize, info.outHeight, info.outWidth];
}

/**
 * Runs `fn` with the backend's matmul and convolution kernels wrapped to sum their FLOPs
 * (2 per multiply-add, as executed: forward and backward); returns the total.
 */
export async function countMatMulFlops(backend: string, fn: () => unknown): Promise<number> {
  let total = 0;
  // Kernels may call others (the wasm conv gradients run BatchMatMul): count the outermost only.
  let depth = 0;
  const wrapped: tf.KernelConfig[] = [];
  for (const name of [
    DENSE, // its products may be native calls, not BatchMatMul (kernels/dense.ts)
    DENSE_GRAD,
    tf.BatchMatMul,
    tf._FusedMatMul,
    tf.Conv2D,
    tf.Conv2DBackpropFilter,
    tf.Conv2DBackpropInput,
  ]) {
    const k = tf.getKernel(name, backend);
    if (!k) continue;
    wrapped.push(k);
    tf.unregisterKernel(name, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown> }) => {
        if (depth === 0) total += kernelFlops(name, args.inputs, args.attrs ?? {});
        depth++;
        try {
          return k.kernelFunc(args as never);
        } finally {
          depth--;
        }
      }) as tf.KernelFunc,
    });
  }
  try {
    await fn();
  } finally {
    for (const k of wrapped) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return total;
}
