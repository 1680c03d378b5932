import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ArrayKernelArgs, runArrayKernel } from './array-kernel';
import { hasEngineKernel } from './own-kernels';
import { wasmOps } from './wasm-ops';

/**
 * LayerNorm over the last axis as one forward kernel and one backward kernel. Built from tf ops
 * (moments, sub, rsqrt, mul, add) it costs ~10 kernel calls forward and ~25 backward, each with
 * ~5-20 us of engine overhead; cpu-s runs ~40 of them per step. Statistics in double precision.
 * Kernels for 'wasm' and 'cpu'; other backends fall back to tf ops.
 *
 *   y = (x - mean) * rstd * gamma + beta,  rstd = 1 / sqrt(var + eps)   (biased variance)
 *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * gamma
 */

export const LAYER_NORM = 'BiomedLayerNorm';
export const LAYER_NORM_GRAD = 'BiomedLayerNormGrad';

type F32 = Float32Array;

/** Forward on raw arrays: x [rows, d] -> y, mean [rows], rstd [rows]. */
export function layerNormArrays(
  x: F32,
  gamma: F32,
  beta: F32,
  eps: number,
  y: F32,
  mean: F32,
  rstd: F32,
): void {
  const d = gamma.length;
  const rows = x.length / d;
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[o + j]!;
    const mu = s / d;
    let v = 0;
    for (let j = 0; j < d; j++) {
      const c = x[o + j]! - mu;
      v += c * c;
    }
    const rs = 1 / Math.sqrt(v / d + eps);
    for (let j = 0; j < d; j++) y[o + j] = (x[o + j]! - mu) * rs * gamma[j]! + beta[j]!;
    mean[r] = mu;
    rstd[r] = rs;
  }
}

/** Backward on raw arrays: dx [rows, d], dgamma [d], dbeta [d]. */
export function layerNormGradArrays(
  dy: F32,
  x: F32,
  mean: F32,
  rstd: F32,
  gamma: F32,
  dx: F32,
  dgamma: F32,
  dbeta: F32,
): void {
  const d = gamma.length;
  const rows = x.length / d;
  const dg = new Float64Array(d);
  const db = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const mu = mean[r]!;
    const rs = rstd[r]!;
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < d; j++) {
      const xh = (x[o + j]! - mu) * rs;
      const g = dy[o + j]! * gamma[j]!;
      sg += g;
      sgx += g * xh;
      dg[j]! += dy[o + j]! * xh;
      db[j]! += dy[o + j]!;
    }
    const mg = sg / d;
    const mgx = sgx / d;
    for (let j = 0; j < d; j++) {
      const xh = (x[o + j]! - mu) * rs;
      dx[o + j] = rs * (dy[o + j]! * gamma[j]! - mg - xh * mgx);
    }
  }
  dgamma.set(dg);
  dbeta.set(db);
}

type Args = ArrayKernelArgs;

const rowsOf = (t: TensorInfo) => t.shape.slice(0, -1).reduce((n, s) => n * s, 1);

function forwardKernel(args: Args): TensorInfo[] {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const eps = args.attrs?.['eps'] as number;
  const rows = rowsOf(x);
  const ops = wasmOps(args.backend);
  if (ops) {
    // wasm: one pass of ops.c per row (wasm-ops.ts)
    const d = gamma.shape[0]!;
    return ops.run([x, gamma, beta], [x.shape, [rows], [rows]], ([xp, g, b], [y, m, r]) =>
      ops.ex.bw_layer_norm(xp!, 0, 0, g!, b!, y!, m!, r!, 1, rows, d, eps),
    );
  }
  return runArrayKernel(args, [x, gamma, beta], [[...x.shape], [rows], [rows]], ([xv, gv, bv], [y, m, r]) =>
    layerNormArrays(xv!, gv!, bv!, eps, y!, m!, r!),
  );
}

function gradKernel(args: Args): TensorInfo[] {
  const { dy, x, mean, rstd, gamma } = args.inputs as Record<string, TensorInfo>;
  const d = gamma!.shape[0]!;
  const ops = wasmOps(args.backend);
  if (ops) {
    const rows = rowsOf(x!);
    return ops.run(
      [dy, x, mean, rstd, gamma],
      [x!.shape, [d], [d]],
      ([a, b, c, e, g], [dx, dg, db], acc) =>
        ops.ex.bw_layer_norm_grad(a!, b!, c!, e!, 1, g!, 0, dx!, dg!, db!, acc, rows, d),
      16 * d,
    );
  }
  return runArrayKernel(
    args,
    [dy!, x!, mean!, rstd!, gamma!],
    [[...x!.shape], [d], [d]],
    ([a, b, c, e, g], [dx, dg, db]) => layerNormGradArrays(a!, b!, c!, e!, g!, dx!, dg!, db!),
  );
}

/** Registers both kernels for 'wasm' and 'cpu' (idempotent). */
export function registerLayerNorm(): string[] {
  const out: string[] = [];
  for (const backendName of ['wasm', 'cpu']) {
    for (const [kernelName, fn] of [
      [LAYER_NORM, forwardKernel],
      [LAYER_NORM_GRAD, gradKernel],
    ] as const) {
      if (!tf.getKernel(kernelName, backendName)) {
        tf.registerKernel({ kernelName, backendName, kernelFunc: fn as unknown as KernelFunc });
      }
    }
    out.push(`${LAYER_NORM}:${backendName}`);
  }
  return out;
}

function opsLayerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/**
 * LayerNorm over the last axis with learned gain and bias.
 * @param x     [..., d] float32
 * @param gamma [d]
 * @param beta  [d]
 * @returns     [..., d]
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (!hasEngineKernel(LAYER_NORM)) return opsLayerNorm(x, gamma, beta, eps);
  const engine = tf.engine();
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xx, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, rstd] = engine.runKernel(
      LAYER_NORM,
      { x: xx, gamma: g, beta: b },
      { eps },
    ) as unknown as tf.Tensor[];
    save([xx, mean!, rstd!, g]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sm, sr, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return engine.runKernel(
          LAYER_NORM_GRAD,
          { dy, x: sx, mean: sm, rstd: sr, gamma: sg },
          {},
        ) as unknown as tf.Tensor[];
      },
    };
  });
  return f(x, gamma, beta);
}
