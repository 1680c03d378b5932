import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD } from './attention-probs';
import { registerOnce } from './own-kernels';
import { WasmComposer, type WasmHeapBackend } from './wasm-compose';

/**
 * The wasm twins of ./attention-probs.ts' kernels (webgpu: ./webgpu/attention-probs.ts). Forward:
 * softmax(q kᵀ + bias) * mult in one kernel call instead of four (BatchMatMul, Add, Softmax,
 * Multiply) plus two customGrad scopes; backward: d(scores) in one call, recomputing the same
 * softmax (so the [B, H, T, S] probabilities are not kept between the passes, as on webgpu)
 * instead of five (Multiply; Softmax's gradient: Multiply, Sum, Multiply, Sub). Both run the
 * very wasm kernels the tf-op composition dispatches, in its order, inside one call
 * (WasmComposer): values and gradients are bit-identical to it (wasm-attention-probs.test.ts).
 */

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmHeapBackend;
}

/** softmax(q kᵀ + bias) [B, H, T, S] (before dropout), into `c`'s temporaries. */
function softmaxOf(c: WasmComposer, q: TensorInfo, k: TensorInfo, bias: TensorInfo): TensorInfo {
  const scores = c.run(tf.BatchMatMul, { a: q, b: k }, { transposeA: false, transposeB: true });
  const logits = c.run(tf.Add, { a: scores, b: bias });
  return c.run(tf.Softmax, { logits }, { dim: logits.shape.length - 1 });
}

function inputsOf(args: Args, grad: boolean) {
  const { q, k, bias, mult, dp } = args.inputs;
  if (!q || !k || !bias || (grad && !dp)) {
    throw new Error(
      `${grad ? ATTENTION_PROBS_GRAD : ATTENTION_PROBS} needs inputs q, k, bias${grad ? ', dp' : ''}`,
    );
  }
  return { q, k, bias, mult, dp };
}

function probs(args: Args): TensorInfo {
  const { q, k, bias, mult } = inputsOf(args, false);
  const c = new WasmComposer(args.backend);
  try {
    const p = softmaxOf(c, q, k, bias);
    return c.keep(mult ? c.run(tf.Multiply, { a: p, b: mult }) : p);
  } finally {
    c.dispose();
  }
}

/** d(scores) [B, H, T, S] from dp = d(probs): tfjs' Multiply and Softmax gradients. */
function probsGrad(args: Args): TensorInfo {
  const { q, k, bias, mult, dp } = inputsOf(args, true);
  const c = new WasmComposer(args.backend);
  try {
    const y = softmaxOf(c, q, k, bias);
    const dy = mult ? c.run(tf.Multiply, { a: dp!, b: mult }) : dp!;
    const dyTimesY = c.run(tf.Multiply, { a: dy, b: y });
    const rowSums = c.run(tf.Sum, { x: dyTimesY }, { axis: [y.shape.length - 1], keepDims: true });
    return c.keep(c.run(tf.Sub, { a: dyTimesY, b: c.run(tf.Multiply, { a: rowSums, b: y }) }));
  } finally {
    c.dispose();
  }
}

/** Registers both kernels for 'wasm' (idempotent). */
export function registerWasmAttentionProbs(): string[] {
  return [
    ...registerOnce(ATTENTION_PROBS, { wasm: probs }),
    ...registerOnce(ATTENTION_PROBS_GRAD, { wasm: probsGrad }),
  ];
}
