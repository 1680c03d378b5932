import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

const prod = (xs: readonly number[]) => xs.reduce((p, x) => p * x, 1);

/** Multiply-add FLOPs (2 per MAC) of one matmul/conv kernel call. */
function kernelFlops(
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown>,
): number {
  if (name === tf.BatchMatMul || name === tf._FusedMatMul) {
    const a = inputs['a']!.shape;
    const b = inputs['b']!.shape;
    const k = attrs['transposeA'] ? a[a.length - 2]! : a[a.length - 1]!;
    const m = attrs['transposeA'] ? a[a.length - 1]! : a[a.length - 2]!;
    const n = attrs['transposeB'] ? b[b.length - 2]! : b[b.length - 1]!;
    const batch = Math.max(prod(a.slice(0, -2)), prod(b.slice(0, -2)));
    return 2 * batch * m * n * k;
  }
  return 0;
}

/**
 * Runs `fn` with the backend's matmul kernels wrapped to sum their FLOPs; returns the total.
 * The model builds its convolutions from matMul (im2col), so this covers ResNet and transformer.
 */
export function countMatMulFlops(backend: string, fn: () => void): number {
  let total = 0;
  const wrapped: tf.KernelConfig[] = [];
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const k = tf.getKernel(name, backend);
    if (!k) continue;
    wrapped.push(k);
    tf.unregisterKernel(name, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: { inputs: Record<string, TensorInfo>; attrs: Record<string, unknown> }) => {
        total += kernelFlops(name, args.inputs, args.attrs ?? {});
        return k.kernelFunc(args as never);
      }) as tf.KernelFunc,
    });
  }
  try {
    fn();
  } finally {
    for (const k of wrapped) {
      tf.unregisterKernel(k.kernelName, backend);
      tf.registerKernel(k);
    }
  }
  return total;
}
