import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD, biasStrides } from './attention-probs';
import { cpuGemm } from './cpu-gemm';
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
 * Where the native GEMM runs (cpu-gemm.ts: BIOMED_CPU_GEMM, the addon built), the scores are its
 * product and the rest is one native pass over the rows, split over its threads (native/src/
 * attention.c: same bits at any thread count; within float32 rounding of the composition, not
 * bit-equal: its own exp and order; native-attention.test.ts).
 */

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmHeapBackend;
}

/** softmax(q kᵀ + bias) [B, H, T, S] (before dropout), into `c`'s temporaries. */
function softmaxOf(c: WasmComposer, q: TensorInfo, k: TensorInfo, bias: TensorInfo): TensorInfo {
  const logits = c.run(tf.Add, { a: scoresOf(c, q, k), b: bias });
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

/**
 * The native rows pass over `scores` in place (it becomes the result): probs, or d(scores) with dp.
 * @param scores [B, H, T, S] q kᵀ, a temporary of `c`
 */
function nativeRows(
  c: WasmComposer,
  scores: TensorInfo,
  bias: TensorInfo,
  mult: TensorInfo | undefined,
  dp: TensorInfo | undefined,
): TensorInfo {
  const at = (t: TensorInfo | undefined) => (t ? c.backend.dataIdMap.get(t.dataId).memoryOffset : -1);
  const [b, h, t, s] = scores.shape as [number, number, number, number];
  cpuGemm(c.backend)!.attention!.run({
    scores: at(scores),
    bias: at(bias),
    mult: at(mult),
    dp: at(dp),
    out: at(scores),
    sizes: [b, h, t, s],
    biasStrides: biasStrides(bias.shape),
    multStrides: mult ? biasStrides(mult.shape) : [0, 0, 0, 0],
  });
  return c.keep(scores);
}

function scoresOf(c: WasmComposer, q: TensorInfo, k: TensorInfo): TensorInfo {
  return c.run(tf.BatchMatMul, { a: q, b: k }, { transposeA: false, transposeB: true }); // [B, H, T, S]
}

/** Throws unless `x` broadcasts to `out` ([B, H, T, S]) with rank <= 4. */
function checkBroadcast(name: string, x: TensorInfo, out: readonly number[]): void {
  const s = x.shape;
  const fits = s.length <= 4 && s.every((d, i) => d === 1 || d === out[out.length - s.length + i]);
  if (!fits || x.dtype !== 'float32') {
    throw new Error(
      `${ATTENTION_PROBS}: ${name} ${x.dtype} [${s.join(', ')}] does not broadcast to float32 [${out.join(', ')}]`,
    );
  }
}

let composedOnly = false;

/** Benches: true = the composition even where the native rows pass runs (the before-figure). */
export function setComposedAttention(on: boolean): void {
  composedOnly = on;
}

/** Whether the native rows pass runs here (the native GEMM is the CPU GEMM); checks bias and mult. */
function native(args: Args, q: TensorInfo, k: TensorInfo): boolean {
  if (composedOnly || !cpuGemm(args.backend)?.attention || q.shape.length !== 4 || k.shape.length !== 4)
    return false;
  const { bias, mult, dp } = args.inputs;
  const out = [...q.shape.slice(0, 3), k.shape[2]!]; // [B, H, T, S]
  checkBroadcast('bias', bias!, out);
  if (mult) checkBroadcast('mult', mult, out);
  if (dp && dp.shape.join() !== out.join()) {
    throw new Error(`${ATTENTION_PROBS_GRAD}: dp [${dp.shape.join(', ')}] is not [${out.join(', ')}]`);
  }
  return true;
}

function probs(args: Args): TensorInfo {
  const { q, k, bias, mult } = inputsOf(args, false);
  const c = new WasmComposer(args.backend);
  try {
    if (native(args, q, k)) return nativeRows(c, scoresOf(c, q, k), bias, mult, undefined);
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
    if (native(args, q, k)) return nativeRows(c, scoresOf(c, q, k), bias, mult, dp);
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
