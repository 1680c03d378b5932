import * as tf from '@tensorflow/tfjs-core';
import { dense } from '#main/engine/kernels/dense';
import { embeddingLookup } from '#main/engine/kernels/embedding';
import { GELU, gelu as geluSavingInput } from '#main/engine/kernels/gelu';
import { layerNorm as fusedLayerNorm } from '#main/engine/kernels/layer-norm';
import { addLean, mulByConstant, reluLean } from '#main/engine/kernels/lean-ops';
import { type LinearEpilogue, linearFused } from '#main/engine/kernels/linear';
import { hasEngineKernel, ownWebgpuKernels } from '#main/engine/kernels/own-kernels';
import { residualLayerNorm } from '#main/engine/kernels/residual-layer-norm';
import type { ForwardContext } from './context';
import { weight } from './weights';

/** `x W^T + b` with a PyTorch-layout weight [out, in] under `${prefix}.weight` / `.bias`. */
export function linear(ctx: ForwardContext, prefix: string, x: tf.Tensor, bias = true): tf.Tensor {
  const w = weight(ctx.weights, `${prefix}.weight`); // [out, in]
  // One kernel call each way where the backend has it (wasm: kernels/dense.ts), any rank of x.
  const one = dense(x, w, bias ? weight(ctx.weights, `${prefix}.bias`) : undefined);
  if (one) return one; // [..., out]
  const [out, inp] = w.shape as [number, number];
  const lead = x.shape.slice(0, -1);
  const x2 = tf.reshape(x, [-1, inp]); // [n, in]
  const fused = bias
    ? linearFused(x2 as tf.Tensor2D, w as tf.Tensor2D, weight(ctx.weights, `${prefix}.bias`) as tf.Tensor1D)
    : undefined; // one program where the backend has it (webgpu)
  let y = fused ?? tf.matMul(x2, w, false, true); // [n, out]
  if (bias && !fused) y = add(ctx, y, weight(ctx.weights, `${prefix}.bias`));
  return tf.reshape(y, [...lead, out]);
}

/**
 * gelu(linear(x)), and `residual + linear(x)`: one program each in inference where the backend
 * has the fused linear (webgpu); otherwise (and in training) the composed ops.
 */
export function linearGelu(ctx: ForwardContext, prefix: string, x: tf.Tensor): tf.Tensor {
  return epilogue(ctx, prefix, x, { activation: 'gelu' }) ?? gelu(ctx, linear(ctx, prefix, x));
}

/** residual + linear(x) (inference only; undefined where it cannot be one program). */
export function linearResidual(ctx: ForwardContext, prefix: string, x: tf.Tensor, residual: tf.Tensor) {
  return epilogue(ctx, prefix, x, { residual: tf.reshape(residual, [-1, residual.shape.at(-1)!]) });
}

function epilogue(
  ctx: ForwardContext,
  prefix: string,
  x: tf.Tensor,
  e: LinearEpilogue,
): tf.Tensor | undefined {
  if (ctx.training) return undefined;
  const w = weight(ctx.weights, `${prefix}.weight`); // [out, in]
  const x2 = tf.reshape(x, [-1, w.shape[1]!]) as tf.Tensor2D;
  const y = linearFused(x2, w as tf.Tensor2D, weight(ctx.weights, `${prefix}.bias`) as tf.Tensor1D, e);
  return y && tf.reshape(y, [...x.shape.slice(0, -1), w.shape[0]!]);
}

/** LayerNorm over the last axis (fairseq eps 1e-5); one fused kernel pair where registered. */
export function layerNorm(ctx: ForwardContext, prefix: string, x: tf.Tensor): tf.Tensor {
  const gamma = weight(ctx.weights, `${prefix}.weight`);
  const beta = weight(ctx.weights, `${prefix}.bias`);
  return fusedLayerNorm(x, gamma, beta, ctx.config.layerNormEps);
}

/** The residual stream after a join, and the LayerNorm the next sub-block reads it through. */
export type Normed = { x: tf.Tensor; h: tf.Tensor }; // both [..., d]

/**
 * The residual join x + r and the LayerNorm `prefix` of the sum: the sum is the next residual
 * stream, LN(sum) the next sub-block's input. One kernel each way where the backend has it
 * (kernels/residual-layer-norm), else add then layerNorm.
 */
export function addLayerNorm(ctx: ForwardContext, prefix: string, x: tf.Tensor, r: tf.Tensor): Normed {
  const gamma = weight(ctx.weights, `${prefix}.weight`);
  const beta = weight(ctx.weights, `${prefix}.bias`);
  const fused = residualLayerNorm(x, r, gamma, beta, ctx.config.layerNormEps);
  if (fused) return { x: fused.sum, h: fused.y };
  const sum = add(ctx, x, r);
  return { x: sum, h: fusedLayerNorm(sum, gamma, beta, ctx.config.layerNormEps) };
}

/**
 * a + b (broadcasting). In training, the form whose gradient keeps neither operand alive
 * (kernels/lean-ops; same values and gradients as tf.add).
 */
export function add(ctx: ForwardContext, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return ctx.training ? addLean(a, b) : tf.add(a, b);
}

/** x * s for a constant s; in training only s is kept for backward (kernels/lean-ops). */
export function scale(ctx: ForwardContext, x: tf.Tensor, s: number): tf.Tensor {
  return ctx.training ? mulByConstant(x, s) : tf.mul(x, s);
}

/** ReLU; in training it keeps its output, not its input, for backward (kernels/lean-ops). */
export function relu<T extends tf.Tensor>(ctx: ForwardContext, x: T): T {
  return (ctx.training ? reluLean(x) : tf.relu(x)) as T;
}

/**
 * GELU with erf, as torch.nn.functional.gelu. In training, the form that keeps only its input
 * for backward (kernels/gelu; same values and gradients as these tf ops).
 */
export function gelu(ctx: ForwardContext, x: tf.Tensor): tf.Tensor {
  if (ctx.training || hasEngineKernel(GELU)) return geluSavingInput(x);
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/**
 * Dropout in training mode only, with a seeded mask: tf.dropout's mask and arithmetic, but only
 * the multiplier is kept for backward (tf.dropout's Multiply also keeps x).
 */
export function dropout(ctx: ForwardContext, x: tf.Tensor, rate: number): tf.Tensor {
  const mult = dropoutMultiplier(ctx, x.shape, rate);
  return mult ? mulByConstant(x, mult) : x; // x * (mask / keep)
}

/**
 * The seeded dropout multiplier mask / keep of `shape` (tf.dropout's mask), or none outside
 * training or at rate 0. tf.randomUniform draws on the CPU: the same on every backend.
 */
export function dropoutMultiplier(ctx: ForwardContext, shape: number[], rate: number): tf.Tensor | undefined {
  if (!ctx.training || rate <= 0) return undefined;
  const keep = 1 - rate;
  const noise = tf.randomUniform(shape, 0, 1, 'float32', ctx.nextSeed());
  return keepMask(noise, keep);
}

/**
 * floor(u + keep) / keep, in float32. tf.randomUniform draws on the host; on webgpu the mask is
 * made there too (its values are still on the host: readSync uploads nothing), so no program
 * runs for it (three did), and on wasm and cpu (a read of memory: three kernel calls fewer per
 * dropout); the same float32 arithmetic, so the same mask.
 */
function keepMask(noise: tf.Tensor, keep: number): tf.Tensor {
  const backend = tf.getBackend();
  const onHost = backend === 'wasm' || backend === 'cpu' || (backend === 'webgpu' && ownWebgpuKernels());
  if (!onHost) return tf.div(tf.floor(tf.add(noise, keep)), keep);
  const u = noise.dataSync();
  const k = Math.fround(keep);
  const m = new Float32Array(u.length);
  for (let i = 0; i < u.length; i++) m[i] = Math.floor(Math.fround(u[i]! + k)) / k;
  noise.dispose();
  return tf.tensor(m, noise.shape);
}

/** Stochastic depth: zeroes a whole example's residual branch with probability `rate`. x: [B, ...]. */
export function dropPath(ctx: ForwardContext, x: tf.Tensor, rate: number): tf.Tensor {
  if (!ctx.training || rate <= 0) return x;
  const shape = [x.shape[0] ?? 1, ...x.shape.slice(1).map(() => 1)];
  const noise = tf.randomUniform(shape, 0, 1, 'float32', ctx.nextSeed()); // [B, 1, ...]
  return mulByConstant(x, keepMask(noise, 1 - rate));
}

/** Rows of a [rows, dim] table; its gradient is a scatter-add (see kernels/embedding). */
export function lookup(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  return embeddingLookup(table as tf.Tensor2D, ids);
}

/** Contiguous rows 0..n-1 of a table (text positions); gradient is a pad. */
export function firstRows(table: tf.Tensor, n: number): tf.Tensor2D {
  if (n > (table.shape[0] ?? 0))
    throw new Error(`sequence of ${n} exceeds the ${table.shape[0]}-row position table`);
  return tf.slice(table, [0, 0], [n, -1]) as tf.Tensor2D;
}
