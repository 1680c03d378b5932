import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ArrayKernelArgs, runArrayKernel } from './array-kernel';
import { hasEngineKernel } from './own-kernels';
import { wasmOps } from './wasm-ops';

/**
 * Training-mode BatchNorm over every axis but the last (NHWC: per channel) as one forward and one
 * backward kernel. Built from tf ops (moments, sub, rsqrt, mul, add) it keeps ~4 full-size
 * activations per BatchNorm for the backward pass and costs ~10 + ~25 kernel calls: on cpu-m the
 * ResNet's BatchNorm intermediates were the largest share of the 1.7 GB of activations alive at
 * the peak of a train step. Statistics in double precision; the batch statistics are returned
 * (biased variance) for the running-average update, outside the gradient.
 *
 *   y = (x - mean) * rstd * gamma + beta,  rstd = 1 / sqrt(var + eps), per channel over N*H*W rows
 *   dx = rstd * (g - mean_rows(g) - xhat * mean_rows(g * xhat)),  g = dy * gamma
 */

export const BATCH_NORM = 'BiomedBatchNorm';
export const BATCH_NORM_GRAD = 'BiomedBatchNormGrad';

type F32 = Float32Array;

/** Forward on raw arrays: x [rows, C] -> y, mean [C], variance [C] (biased). */
export function batchNormArrays(
  x: F32,
  gamma: F32,
  beta: F32,
  eps: number,
  y: F32,
  mean: F32,
  variance: F32,
): void {
  const c = gamma.length;
  const rows = x.length / c;
  const s = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) s[j]! += x[o + j]!;
  }
  for (let j = 0; j < c; j++) s[j] = s[j]! / rows;
  const v = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) {
      const d = x[o + j]! - s[j]!;
      v[j]! += d * d;
    }
  }
  const scale = new Float64Array(c);
  const shift = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const vj = v[j]! / rows;
    const rs = 1 / Math.sqrt(vj + eps);
    scale[j] = rs * gamma[j]!;
    shift[j] = beta[j]! - s[j]! * rs * gamma[j]!;
    mean[j] = s[j]!;
    variance[j] = vj;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) y[o + j] = x[o + j]! * scale[j]! + shift[j]!;
  }
}

/** Backward on raw arrays: dx [rows, C], dgamma [C], dbeta [C]. */
export function batchNormGradArrays(
  dy: F32,
  x: F32,
  mean: F32,
  variance: F32,
  gamma: F32,
  eps: number,
  dx: F32,
  dgamma: F32,
  dbeta: F32,
): void {
  const c = gamma.length;
  const rows = x.length / c;
  const rstd = new Float64Array(c);
  for (let j = 0; j < c; j++) rstd[j] = 1 / Math.sqrt(variance[j]! + eps);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c);
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) {
      const xh = (x[o + j]! - mean[j]!) * rstd[j]!;
      sdy[j]! += dy[o + j]!;
      sdyx[j]! += dy[o + j]! * xh;
    }
  }
  // g = dy * gamma: mean_rows(g) = gamma * sdy / rows, mean_rows(g * xhat) = gamma * sdyx / rows.
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    a[j] = gamma[j]! * rstd[j]!;
    b[j] = sdyx[j]! / rows;
    dgamma[j] = sdyx[j]!;
    dbeta[j] = sdy[j]!;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * c;
    for (let j = 0; j < c; j++) {
      const xh = (x[o + j]! - mean[j]!) * rstd[j]!;
      dx[o + j] = a[j]! * (dy[o + j]! - sdy[j]! / rows - xh * b[j]!);
    }
  }
}

type Args = ArrayKernelArgs;

const rowsOf = (t: TensorInfo, c: number) => t.shape.reduce((n, s) => n * s, 1) / c;

function forwardKernel(args: Args): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const eps = args.attrs?.['eps'] as number;
  const c = gamma.shape[0]!;
  const ops = wasmOps(args.backend);
  if (ops) {
    // wasm: ops.c, one pass for the statistics (sum and sum of squares in double), one for y
    const rows = rowsOf(x, c);
    return ops.run(
      [x, gamma, beta],
      [x.shape, [c], [c]],
      ([xp, g, b], [y, m, v], acc) => ops.ex.bw_batch_norm(xp!, g!, b!, y!, m!, v!, acc, rows, c, eps),
      20 * c,
    );
  }
  return runArrayKernel(args, [x, gamma, beta], [[...x.shape], [c], [c]], ([xv, g, bt], [y, m, v]) =>
    batchNormArrays(xv!, g!, bt!, eps, y!, m!, v!),
  );
}

function gradKernel(args: Args): TensorInfo[] {
  const { dy, x, mean, variance, gamma } = args.inputs as Record<string, TensorInfo>;
  const eps = args.attrs?.['eps'] as number;
  const c = gamma!.shape[0]!;
  const ops = wasmOps(args.backend);
  if (ops) {
    const rows = rowsOf(x!, c);
    return ops.run(
      [dy, x, mean, variance, gamma],
      [x!.shape, [c], [c]],
      ([d, xp, m, v, g], [dx, dg, db], acc) =>
        ops.ex.bw_batch_norm_grad(d!, xp!, m!, v!, g!, dx!, dg!, db!, acc, rows, c, eps),
      32 * c,
    );
  }
  return runArrayKernel(
    args,
    [dy!, x!, mean!, variance!, gamma!],
    [[...x!.shape], [c], [c]],
    ([d, xv, m, v, g], [dx, dg, db]) => batchNormGradArrays(d!, xv!, m!, v!, g!, eps, dx!, dg!, db!),
  );
}

/** Registers both kernels for 'wasm' and 'cpu' (idempotent). */
export function registerBatchNorm(): string[] {
  const out: string[] = [];
  for (const backendName of ['wasm', 'cpu']) {
    for (const [kernelName, fn] of [
      [BATCH_NORM, forwardKernel],
      [BATCH_NORM_GRAD, gradKernel],
    ] as const) {
      if (!tf.getKernel(kernelName, backendName)) {
        tf.registerKernel({ kernelName, backendName, kernelFunc: fn as unknown as KernelFunc });
      }
    }
    out.push(`${BATCH_NORM}:${backendName}`);
  }
  return out;
}

/** Normalised output and the batch statistics it used. */
export interface BatchNormResult {
  readonly y: tf.Tensor; // like x
  /** Per-channel batch mean [C] (for running statistics; not meant to enter the loss). */
  readonly mean: tf.Tensor1D;
  /** Per-channel biased batch variance [C] (for running statistics; not meant to enter the loss). */
  readonly variance: tf.Tensor1D;
}

/**
 * Training-mode BatchNorm with batch statistics over every axis but the last.
 * @param x     [..., C] float32 (NHWC activations)
 * @param gamma [C]
 * @param beta  [C]
 */
export function batchNormTrain(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): BatchNormResult {
  if (!hasEngineKernel(BATCH_NORM)) {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  const engine = tf.engine();
  let stats: tf.Tensor[] = [];
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = engine.runKernel(
      BATCH_NORM,
      { x: xx, gamma: g, beta: b },
      { eps },
    ) as unknown as tf.Tensor[];
    save([xx, mean!, variance!, g]);
    // Side outputs: the customGrad scope would dispose them; keep them until cloned below.
    stats = [tf.keep(mean!), tf.keep(variance!)];
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sm, sv, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return engine.runKernel(
          BATCH_NORM_GRAD,
          { dy, x: sx, mean: sm, variance: sv, gamma: sg },
          { eps },
        ) as unknown as tf.Tensor[];
      },
    };
  });
  const y = f(x, gamma, beta);
  // Clones belong to the caller's scope (tidy disposes them as usual); the kept originals go.
  const [mean, variance] = stats.map((t) => tf.clone(t)) as [tf.Tensor1D, tf.Tensor1D];
  tf.dispose(stats);
  return { y, mean, variance };
}
