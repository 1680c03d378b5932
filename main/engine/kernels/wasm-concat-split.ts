import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { collapseSlice, copySlice } from './wasm-slice';

/**
 * Faster wasm Concat and SplitV for many thin pieces. Im2col convolutions concatenate k*k slices
 * of [B, H, W, C] along C (C = 3 for the stem) and their gradient splits them apart again; the
 * stock kernels copy every C-float row with subarray/set (Concat) or through the stock Slice
 * (SplitV), which the step profile put at ~15% of a cpu-s step. These copy short rows with a
 * plain loop and long ones with set().
 */

type Heap = Float32Array | Int32Array | Uint8Array;

interface HeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Heap;
}

interface Args {
  inputs: TensorInfo[] | { x?: TensorInfo };
  backend: HeapBackend;
  attrs?: NamedAttrMap;
}

const prod = (xs: readonly number[]) => xs.reduce((p, x) => p * x, 1);

function copyRun(src: Heap, s: number, dst: Heap, d: number, n: number): void {
  if (n >= 64) dst.set(src.subarray(s, s + n), d);
  else for (let j = 0; j < n; j++) dst[d + j] = src[s + j]!;
}

let stockConcat: KernelFunc | undefined;
let stockSplit: KernelFunc | undefined;

function concat(args: Args): TensorInfo {
  const inputs = args.inputs as TensorInfo[];
  const first = inputs[0];
  if (!first || first.dtype === 'string') return stockConcat!(args as never) as TensorInfo;
  const axis = tf.util.parseAxisParam(args.attrs?.['axis'] as number, first.shape)[0]!;
  const shapes = inputs.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, axis);
  const outShape = tf.backend_util.computeOutShape(shapes, axis);
  const { backend } = args;
  const out = backend.makeOutput(outShape, first.dtype);
  const pieces = inputs.filter((t) => prod(t.shape) > 0);
  if (pieces.length === 0) return out;
  const rows = prod(first.shape.slice(0, axis)); // [rows, inner_i] blocks
  const inner = pieces.map((t) => prod(t.shape.slice(axis)));
  const total = inner.reduce((s, x) => s + x, 0);
  // Views after makeOutput: allocating may grow (and replace) the heap buffer.
  const dst = backend.typedArrayFromHeap(out);
  let col = 0;
  pieces.forEach((t, i) => {
    const src = backend.typedArrayFromHeap(t);
    const n = inner[i]!;
    for (let r = 0; r < rows; r++) copyRun(src, r * n, dst, r * total + col, n);
    col += n;
  });
  return out;
}

function splitV(args: Args): TensorInfo[] {
  const { x } = args.inputs as { x?: TensorInfo };
  if (!x) throw new Error('SplitV needs input x');
  if (x.dtype === 'string') return stockSplit!(args as never) as TensorInfo[];
  const attrs = args.attrs ?? {};
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(
    x as tf.Tensor,
    attrs['numOrSizeSplits'] as number[] | number,
    axis,
  );
  const { backend } = args;
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = backend.makeOutput(size, x.dtype);
    if (s > 0 && prod(size) > 0) {
      const c = collapseSlice(x.shape, begin, size);
      copySlice(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), c.shape, c.begin, c.size);
    }
    begin[axis]! += s;
    return out;
  });
}

/** The fast Concat for 'wasm'; strings go to `stock`. */
export function wasmConcatConfig(stock: KernelConfig | undefined): KernelConfig {
  stockConcat = stock?.kernelFunc;
  return { kernelName: tf.Concat, backendName: 'wasm', kernelFunc: concat as unknown as KernelFunc };
}

/** The fast SplitV for 'wasm'; strings go to `stock`. */
export function wasmSplitVConfig(stock: KernelConfig | undefined): KernelConfig {
  stockSplit = stock?.kernelFunc;
  return { kernelName: tf.SplitV, backendName: 'wasm', kernelFunc: splitV as unknown as KernelFunc };
}
