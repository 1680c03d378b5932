import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel, registerOnce } from './own-kernels';
import { wasmOps } from './wasm-ops';

/**
 * sum_i sum(x_i^2) over many tensors in one kernel call: a gradient's global norm costs
 * 2 calls per weight (square, sum) plus addN with tf ops, ~570 calls per cpu-s step. Accumulates
 * in double precision (on wasm in ops.c, wasm-ops.ts; BIOMED_WASM_OPS=composed: the JS loop). Registered for 'wasm' and 'cpu' (webgpu: ./webgpu/sum-squares.ts); other
 * backends use tf ops.
 */

export const SUM_SQUARES = 'BiomedSumSquares';

function sumSquaresOf(arrays: readonly Float32Array[]): number {
  let total = 0;
  for (const a of arrays) {
    let s = 0;
    for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
    total += s;
  }
  return total;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

function wasmKernel(args: { inputs: TensorInfo[]; backend: WasmLike }): TensorInfo {
  const out = args.backend.makeOutput([], 'float32');
  const ops = wasmOps(args.backend);
  // wasm: ops.c's SIMD loop in double (another summation order than the JS loop, within ~1e-15)
  const total = ops
    ? args.inputs.reduce((s, t) => s + ops.ex.bw_sum_squares(ops.at(t), tf.util.sizeFromShape(t.shape)), 0)
    : sumSquaresOf(args.inputs.map((t) => args.backend.typedArrayFromHeap(t)));
  args.backend.typedArrayFromHeap(out)[0] = total;
  return out;
}

interface CpuLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

function cpuKernel(args: { inputs: TensorInfo[]; backend: CpuLike }): TensorInfo {
  const total = sumSquaresOf(args.inputs.map((t) => args.backend.data.get(t.dataId).values as Float32Array));
  return args.backend.makeTensorInfo([], 'float32', Float32Array.of(total));
}

/** Registers the kernel for 'wasm' and 'cpu' (idempotent). */
export function registerSumSquares(): string[] {
  return registerOnce(SUM_SQUARES, { wasm: wasmKernel, cpu: cpuKernel });
}

/** Adds scalars in groups small enough for any backend's per-program buffer limit. */
function addInGroups(parts: tf.Tensor[]): tf.Tensor {
  let level = parts;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 7) next.push(tf.addN(level.slice(i, i + 7)));
    level = next;
  }
  return level[0]!;
}

/**
 * Sum of squares of every element of every float32 tensor, as a scalar tensor left on the device
 * (one kernel call where registered: wasm, cpu, webgpu). Read it with `await t.data()`.
 */
export function sumSquaresTensor(tensors: readonly tf.Tensor[], maxChunkElems = 0): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  if (hasEngineKernel(SUM_SQUARES)) {
    // maxChunkElems: the webgpu kernel's flat chunks at most this long (0: its own cap; tests).
    return tf.engine().runKernel(SUM_SQUARES, tensors as unknown as tf.NamedTensorMap, {
      maxChunkElems,
    }) as tf.Scalar;
  }
  return tf.tidy(() => addInGroups(tensors.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
}

/** Sum of squares of every element of every float32 tensor, as a number (reads asynchronously). */
export async function sumSquares(tensors: readonly tf.Tensor[], maxChunkElems = 0): Promise<number> {
  const t = sumSquaresTensor(tensors, maxChunkElems);
  try {
    return (await t.data())[0]!;
  } finally {
    t.dispose();
  }
}
