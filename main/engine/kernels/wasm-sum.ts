import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { wasmOps } from './wasm-ops';

/**
 * wasm Sum and Mean over leading axes without a transpose. The stock kernel moves the reduced axes last
 * with its own (untiled) transpose and then sums rows; bias and BatchNorm gradients reduce
 * [N, C] over N every step (cpu-m: Sum 190 ms of a 2.4 s CPU step). Here out[j] += x[r, j] runs
 * over rows in order, in float32 like the stock kernel. Other reductions go to the stock kernel.
 */

type F32 = Float32Array;

interface HeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): F32;
}

let stockSum: KernelFunc | undefined;
let stockMean: KernelFunc | undefined;

/** out[j] = sum_r x[r * cols + j] for r in [0, rows), accumulated in order in float32. */
export function sumLeadingRows(x: F32, rows: number, cols: number, out: F32): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) out[j] = out[j]! + x[o + j]!;
  }
}

type Args = { inputs: { x?: TensorInfo }; backend: HeapBackend; attrs?: NamedAttrMap };

function reduceLeading(args: Args, stock: KernelFunc | undefined, mean: boolean): TensorInfo {
  const { x } = args.inputs;
  if (!x) throw new Error('Sum/Mean needs input x');
  const attrs = args.attrs ?? {};
  const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
  const leading = axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading || axes.length === 0 || axes.length === x.shape.length) {
    return stock!(args as never) as TensorInfo;
  }
  const rows = x.shape.slice(0, axes.length).reduce((n, s) => n * s, 1);
  const kept = x.shape.slice(axes.length);
  const cols = kept.reduce((n, s) => n * s, 1);
  const outShape = attrs['keepDims'] ? [...axes.map(() => 1), ...kept] : kept;
  const out = args.backend.makeOutput(outShape, 'float32');
  const ops = wasmOps(args.backend);
  // ops.c's SIMD loop where it runs: the same additions in the same order (same bits)
  if (ops) ops.ex.bw_sum_rows(ops.at(x), rows, cols, ops.at(out));
  // Views after makeOutput: an allocation can replace the heap buffer.
  const o = args.backend.typedArrayFromHeap(out);
  if (!ops) sumLeadingRows(args.backend.typedArrayFromHeap(x), rows, cols, o);
  if (mean) for (let j = 0; j < cols; j++) o[j] = o[j]! / rows;
  return out;
}

const sum = (args: Args) => reduceLeading(args, stockSum, false);
const mean = (args: Args) => reduceLeading(args, stockMean, true);

/** The leading-axes Mean for 'wasm' (sum in float32, then divide); everything else goes to `stock`. */
export function wasmMeanConfig(stock: KernelConfig | undefined): KernelConfig {
  stockMean = stock?.kernelFunc;
  return { kernelName: tf.Mean, backendName: 'wasm', kernelFunc: mean as unknown as KernelFunc };
}

/** The leading-axes Sum for 'wasm'; everything else goes to `stock`. */
export function wasmSumConfig(stock: KernelConfig | undefined): KernelConfig {
  stockSum = stock?.kernelFunc;
  return { kernelName: tf.Sum, backendName: 'wasm', kernelFunc: sum as unknown as KernelFunc };
}
