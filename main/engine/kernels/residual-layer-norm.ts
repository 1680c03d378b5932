import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ArrayKernelArgs, registerArrayKernels, runArrayKernel } from './array-kernel';
import { layerNormArrays, layerNormGradArrays } from './layer-norm';
import { hasEngineKernel } from './own-kernels';
import { wasmOps } from './wasm-ops';

/**
 * A residual join and the LayerNorm that reads it, as one kernel each way: the pre-LN model adds
 * a branch to the residual stream and normalises the sum for the next sub-block, and the sum is
 * itself the next residual stream, so both are outputs.
 *
 *   s = x + r,  y = LN(s) = (s - mean) * rstd * gamma + beta      (../layer-norm.ts)
 *   dx = dr = ds + LN'(dy),  ds: the gradient reaching s from its other readers
 *
 * Outputs [s, y, stats], stats [rows, 2] = (mean, rstd) per row. The gradient is registered for
 * the kernel (tf.customGrad takes one output), so tfjs hands both dys to it (zeros for an unread
 * s, as after the last layer). Kernels for 'wasm' and 'cpu' here, 'webgpu' in
 * webgpu/residual-layer-norm.ts; elsewhere `residualLayerNorm` is undefined and the model composes
 * add + layerNorm.
 */

export const RESIDUAL_LAYER_NORM = 'BiomedResidualLayerNorm';
export const RESIDUAL_LAYER_NORM_GRAD = 'BiomedResidualLayerNormGrad';

type F32 = Float32Array;

/** Forward on raw arrays: s = x + r (float32), y = LN(s), stats [rows, 2]. */
export function residualLayerNormArrays(
  x: F32,
  r: F32,
  gamma: F32,
  beta: F32,
  eps: number,
  s: F32,
  y: F32,
  stats: F32,
): void {
  for (let i = 0; i < x.length; i++) s[i] = x[i]! + r[i]!;
  const rows = x.length / gamma.length;
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  layerNormArrays(s, gamma, beta, eps, y, mean, rstd);
  for (let k = 0; k < rows; k++) {
    stats[2 * k] = mean[k]!;
    stats[2 * k + 1] = rstd[k]!;
  }
}

/** Backward on raw arrays: dx = ds + LN'(dy) [rows, d], dgamma [d], dbeta [d]. */
export function residualLayerNormGradArrays(
  ds: F32,
  dy: F32,
  s: F32,
  stats: F32,
  gamma: F32,
  dx: F32,
  dgamma: F32,
  dbeta: F32,
): void {
  const rows = stats.length / 2;
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  for (let k = 0; k < rows; k++) {
    mean[k] = stats[2 * k]!;
    rstd[k] = stats[2 * k + 1]!;
  }
  layerNormGradArrays(dy, s, mean, rstd, gamma, dx, dgamma, dbeta);
  for (let i = 0; i < dx.length; i++) dx[i] = ds[i]! + dx[i]!;
}

const rowsOf = (t: TensorInfo) => t.shape.slice(0, -1).reduce((n, v) => n * v, 1);

function forwardKernel(args: ArrayKernelArgs): TensorInfo[] {
  const { x, r, gamma, beta } = args.inputs as Record<string, TensorInfo>;
  const eps = args.attrs?.['eps'] as number;
  const ops = wasmOps(args.backend);
  if (ops) {
    // wasm: one pass of ops.c per row (wasm-ops.ts); stats interleaved, so stride 2
    const [rows, d] = [rowsOf(x!), gamma!.shape[0]!];
    return ops.run([x, r, gamma, beta], [x!.shape, x!.shape, [rows, 2]], ([xp, rp, g, b], [s, y, st]) =>
      ops.ex.bw_layer_norm(xp!, rp!, s!, g!, b!, y!, st!, st! + 4, 2, rows, d, eps),
    );
  }
  return runArrayKernel(
    args,
    [x!, r!, gamma!, beta!],
    [[...x!.shape], [...x!.shape], [rowsOf(x!), 2]],
    ([xv, rv, gv, bv], [s, y, st]) => residualLayerNormArrays(xv!, rv!, gv!, bv!, eps, s!, y!, st!),
  );
}

function gradKernel(args: ArrayKernelArgs): TensorInfo[] {
  const { ds, dy, s, stats, gamma } = args.inputs as Record<string, TensorInfo>;
  const d = gamma!.shape[0]!;
  const ops = wasmOps(args.backend);
  if (ops) {
    const rows = rowsOf(s!);
    return ops.run(
      [ds, dy, s, stats, gamma],
      [s!.shape, [d], [d]],
      ([a, b, c, e, g], [dx, dg, db], acc) =>
        ops.ex.bw_layer_norm_grad(b!, c!, e!, e! + 4, 2, g!, a!, dx!, dg!, db!, acc, rows, d),
      16 * d,
    );
  }
  return runArrayKernel(
    args,
    [ds!, dy!, s!, stats!, gamma!],
    [[...s!.shape], [d], [d]],
    ([a, b, c, e, g], [dx, dg, db]) => residualLayerNormGradArrays(a!, b!, c!, e!, g!, dx!, dg!, db!),
  );
}

/** The forward kernel's gradient (one registration for every backend, made on first use). */
function registerGradientOnce(): void {
  if (tf.getGradient(RESIDUAL_LAYER_NORM)) return;
  tf.registerGradient({
    kernelName: RESIDUAL_LAYER_NORM,
    inputsToSave: ['gamma'],
    outputsToSave: [true, false, true], // s, stats
    gradFunc: (dys, saved) => {
      const [ds, dy] = dys as tf.Tensor[];
      const [gamma, s, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [dx, dgamma, dbeta] = tf
        .engine()
        .runKernel(
          RESIDUAL_LAYER_NORM_GRAD,
          { ds: ds!, dy: dy!, s, stats, gamma },
          {},
        ) as unknown as tf.Tensor[];
      // x and r get equal gradients, but as two tensors: tfjs disposes a gradient it accumulates into.
      return { x: () => dx!, r: () => tf.clone(dx!), gamma: () => dgamma!, beta: () => dbeta! };
    },
  });
}

/** Registers both kernels for 'wasm' and 'cpu' (idempotent). */
export function registerResidualLayerNorm(): string[] {
  return registerArrayKernels([
    [RESIDUAL_LAYER_NORM, forwardKernel],
    [RESIDUAL_LAYER_NORM_GRAD, gradKernel],
  ]);
}

/**
 * s = x + r and LN(s) over the last axis in one kernel (and one backward), or undefined where the
 * kernel does not run (the caller composes add and layerNorm).
 * @param x     [..., d] the residual stream
 * @param r     [..., d] the branch joining it (same shape)
 * @param gamma [d]
 * @param beta  [d]
 * @returns     sum [..., d] (the next residual stream) and y = LN(sum) [..., d]
 */
export function residualLayerNorm(
  x: tf.Tensor,
  r: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  eps = 1e-5,
): { sum: tf.Tensor; y: tf.Tensor } | undefined {
  if (!hasEngineKernel(RESIDUAL_LAYER_NORM)) return undefined;
  if (!tf.util.arraysEqual(x.shape, r.shape)) {
    throw new Error(`residualLayerNorm: residual ${x.shape} and branch ${r.shape} differ in shape`);
  }
  if (x.shape.at(-1) !== gamma.shape[0]) {
    throw new Error(`residualLayerNorm: last axis ${x.shape.at(-1)} is not the ${gamma.shape[0]} of gamma`);
  }
  registerGradientOnce();
  const [sum, y, stats] = tf
    .engine()
    .runKernel(RESIDUAL_LAYER_NORM, { x, r, gamma, beta }, { eps }) as unknown as tf.Tensor[];
  stats!.dispose(); // the tape keeps its own copy
  return { sum: sum!, y: y! };
}
