import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { LINEAR } from '#main/engine/kernels/linear';
import { halfMatMuls, ownWebgpuKernels } from '#main/engine/kernels/own-kernels';
import { halfMode, toHalves } from './half';
import { type Activation, type MatMulArgs, runMatMul } from './matmul-program';
import {
  type GpuKernelArgs,
  registerWebgpuTwins,
  replaceStockKernels,
  sizeOf,
  type WebGpuLike,
} from './program';

/**
 * Our matrix products registered for 'webgpu' under tfjs' own kernel names, BatchMatMul and
 * _FusedMatMul (what tf.fused.matMul runs: bias and activation as an epilogue), replacing the
 * stock kernels, which remain the fallback for what ours do not cover (int32, a batch broadcast
 * other than "same count or one matrix", prelu/elu/leakyrelu/sigmoid epilogues, a bias that is
 * not per column). BIOMED_WEBGPU_KERNELS=stock runs the stock kernels everywhere (read at each
 * call, so a bench can compare both in one process).
 */

interface Args {
  inputs: Record<string, TensorInfo | null | undefined>;
  backend: WebGpuLike;
  attrs: Record<string, unknown>;
}

/** The shape of the product of a and b as tfjs defines it, or undefined where ours do not apply. */
function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
    return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) return undefined; // the stock kernel names the mismatch
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = outer.reduce((x, s) => x * s, 1);
  const batchA = a.shape.slice(0, -2).reduce((x, s) => x * s, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, s) => x * s, 1);
  if (!(batchA === batch || batchA === 1) || !(batchB === batch || batchB === 1)) return undefined;
  if (m * n * batch === 0 || k === 0) return undefined;
  return { m, n, k, batch, batchA, batchB, outShape: [...outer, m, n] };
}

const stock = new Map<string, KernelFunc>();

/**
 * The product, in f32, or under BIOMED_WEBGPU_PRECISION=f16 from f16 copies of both operands
 * (half.ts; two more dispatches; the copies are freed at once) with f32 accumulation.
 */
function product(backend: WebGpuLike, args: MatMulArgs): TensorInfo {
  if (!halfMatMuls()) return runMatMul(backend, args);
  const a = toHalves(backend, args.a);
  const b = toHalves(backend, args.b);
  try {
    return runMatMul(backend, { ...args, a, b, half: halfMode(backend) });
  } finally {
    backend.disposeData(a.dataId);
    backend.disposeData(b.dataId);
  }
}

function batchMatMul(args: Args): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const transposeA = args.attrs['transposeA'] === true;
  const transposeB = args.attrs['transposeB'] === true;
  const p = ownWebgpuKernels() ? plan(a, b, transposeA, transposeB) : undefined;
  if (!p) return stock.get(tf.BatchMatMul)!(args as never) as TensorInfo;
  return product(args.backend, { a, b, transposeA, transposeB, ...p });
}

function fusedMatMul(args: Args): TensorInfo {
  const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | null | undefined>;
  const transposeA = args.attrs['transposeA'] === true;
  const transposeB = args.attrs['transposeB'] === true;
  const activation = (args.attrs['activation'] ?? 'linear') as string;
  const p = ownWebgpuKernels() ? plan(a!, b!, transposeA, transposeB) : undefined;
  const biasOk =
    !bias ||
    (bias.dtype === 'float32' &&
      (sizeOf(bias) === 1 || (sizeOf(bias) === p?.n && bias.shape.at(-1) === p.n)));
  if (!p || preluActivationWeights || !biasOk || !(activation === 'linear' || activation === 'relu')) {
    return stock.get(tf._FusedMatMul)!(args as never) as TensorInfo;
  }
  return product(args.backend, {
    a: a!,
    b: b!,
    transposeA,
    transposeB,
    ...p,
    ...(bias ? { bias } : {}),
    activation: activation as Activation,
  });
}

/** The model's fused linear layer (../linear.ts): x [n, in] W^T [out, in] + bias, epilogue. */
function linear(args: Args): TensorInfo {
  const { x, w, bias, residual } = args.inputs as Record<string, TensorInfo | undefined>;
  const p = plan(x!, w!, false, true);
  if (!p)
    throw new Error(
      `BiomedLinear: x ${JSON.stringify(x!.shape)} and W ${JSON.stringify(w!.shape)} do not multiply`,
    );
  return product(args.backend, {
    a: x!,
    b: w!,
    transposeA: false,
    transposeB: true,
    ...p,
    bias: bias!,
    ...(residual ? { residual } : {}),
    activation: (args.attrs['activation'] ?? 'linear') as Activation,
  });
}

/** Replaces the stock webgpu kernels with ours (idempotent); keeps the stock ones as fallback. */
export function registerWebgpuMatMul(): string[] {
  replaceStockKernels(stock, [
    [tf.BatchMatMul, batchMatMul],
    [tf._FusedMatMul, fusedMatMul],
  ]);
  registerWebgpuTwins([[LINEAR, linear as unknown as (a: GpuKernelArgs) => TensorInfo]]);
  return [`${tf.BatchMatMul}:webgpu-own`, `${tf._FusedMatMul}:webgpu-own`, `${LINEAR}:webgpu`];
}
