import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-views';

/**
 * Faster wasm Slice. The stock kernel copies the whole input out of the heap first (readSync),
 * copies rank > 4 element by element through a TensorBuffer, and copies rank <= 4 one innermost
 * row at a time with subarray/set even when a row is 3 floats. Im2col convolutions and their
 * gradients slice [B, H, W, C] with small C and rank-6 [B, H/2, 2, W/2, 2, C] views: the step
 * profile of cpu-s showed 2.1 s of 2.8 s in Slice.
 *
 * This kernel merges dimensions that are taken whole into their outer neighbour, then copies
 * contiguous runs straight between heap views (a loop for short runs, set() for long ones).
 */

type Heap = Float32Array | Int32Array | Uint8Array;

interface HeapBackend extends WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): Heap;
}

interface SliceArgs {
  inputs: { x?: TensorInfo };
  backend: HeapBackend;
  attrs?: NamedAttrMap;
}

/** Dims of a slice after merging every whole inner dimension into its outer neighbour. */
export function collapseSlice(
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
): { shape: number[]; begin: number[]; size: number[] } {
  const outShape: number[] = [];
  const outBegin: number[] = [];
  const outSize: number[] = [];
  for (let i = shape.length - 1; i >= 0; i--) {
    const s = shape[i]!;
    const b = begin[i]!;
    const z = size[i]!;
    const inner = outShape.length - 1;
    if (s === 1) continue; // nothing to index
    if (inner >= 0 && outBegin[0] === 0 && outSize[0] === outShape[0]) {
      // The dimension inside is taken whole: this one extends it contiguously.
      const innerExtent = outShape[0]!;
      outShape[0] = s * innerExtent;
      outBegin[0] = b * innerExtent;
      outSize[0] = z * innerExtent;
    } else {
      outShape.unshift(s);
      outBegin.unshift(b);
      outSize.unshift(z);
    }
  }
  if (outShape.length === 0) return { shape: [1], begin: [0], size: [1] };
  return { shape: outShape, begin: outBegin, size: outSize };
}

/** Copies the collapsed slice of `src` (row-major `shape`) into `dst`. */
export function copySlice(src: Heap, dst: Heap, shape: number[], begin: number[], size: number[]): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  const run = size[rank - 1]!;
  const outer = size.slice(0, -1).reduce((p, x) => p * x, 1);
  if (run === 0 || outer === 0) return;
  const idx = new Array<number>(rank - 1).fill(0);
  let base = 0;
  for (let d = 0; d < rank; d++) base += begin[d]! * strides[d]!;
  let o = 0;
  for (let r = 0; r < outer; r++) {
    let s = base;
    for (let d = 0; d < rank - 1; d++) s += idx[d]! * strides[d]!;
    if (run >= 64) {
      dst.set(src.subarray(s, s + run), o);
    } else {
      for (let j = 0; j < run; j++) dst[o + j] = src[s + j]!;
    }
    o += run;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
  }
}

let stockSlice: KernelFunc | undefined;

function slice(args: SliceArgs): TensorInfo {
  const { x } = args.inputs;
  if (!x) throw new Error('Slice needs input x');
  if (x.dtype === 'string') {
    if (!stockSlice) throw new Error('Slice of strings needs the stock wasm kernel');
    return stockSlice(args as never) as TensorInfo;
  }
  const attrs = args.attrs ?? {};
  const parsed = tf.slice_util.parseSliceParams(
    x as tf.Tensor,
    attrs['begin'] as number[],
    attrs['size'] as number[],
  );
  const begin = parsed[0] as number[];
  const size = parsed[1] as number[];
  const { backend } = args;
  const out = backend.makeOutput(size, x.dtype);
  if (size.some((z) => z === 0)) return out;
  const c = collapseSlice(x.shape, begin, size);
  // Views after makeOutput: allocating may grow (and replace) the heap buffer.
  copySlice(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(out), c.shape, c.begin, c.size);
  return out;
}

/** The fast Slice for 'wasm'; string tensors still go to `stock`. */
export function wasmSliceConfig(stock: KernelConfig | undefined): KernelConfig {
  stockSlice = stock?.kernelFunc;
  return { kernelName: tf.Slice, backendName: 'wasm', kernelFunc: slice as unknown as KernelFunc };
}
