import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * wasm GatherV2 (batchDims 0) as contiguous row copies. The stock kernel copies element by
 * element through strides (~4.6 ns per float): beam search reorders every layer's K/V cache with
 * a gather each step, which made GatherV2 a third of beam-5 decoding time on cpu-m. Here
 * out[o, i, :] = x[o, idx[i], :] is one run of `sliceSize` floats per index.
 */

type Heap = Float32Array | Int32Array | Uint8Array;

interface HeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Heap;
}

let stockGather: KernelFunc | undefined;

function gatherV2(args: {
  inputs: { x?: TensorInfo; indices?: TensorInfo };
  backend: HeapBackend;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const { x, indices } = args.inputs;
  if (!x || !indices) throw new Error('GatherV2 needs x and indices');
  const attrs = args.attrs ?? {};
  const batchDims = (attrs['batchDims'] as number | undefined) ?? 0;
  if (batchDims !== 0 || x.dtype === 'string' || indices.dtype !== 'int32') {
    return stockGather!(args as never) as TensorInfo;
  }
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0]!;
  const outer = x.shape.slice(0, axis).reduce((n, s) => n * s, 1);
  const dim = x.shape[axis]!;
  const slice = x.shape.slice(axis + 1).reduce((n, s) => n * s, 1);
  const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
  const b = args.backend;
  const out = b.makeOutput(outShape, x.dtype);
  const n = indices.shape.reduce((p, s) => p * s, 1);
  if (outer * n * slice === 0) return out;
  // Views after makeOutput: an allocation can replace the heap buffer.
  const idx = b.typedArrayFromHeap(indices) as Int32Array;
  for (let i = 0; i < n; i++) {
    const v = idx[i]!;
    if (v < 0 || v >= dim) throw new Error(`GatherV2: the index value ${v} is not in [0, ${dim - 1}]`);
  }
  const src = b.typedArrayFromHeap(x);
  const dst = b.typedArrayFromHeap(out);
  let o = 0;
  for (let r = 0; r < outer; r++) {
    const base = r * dim * slice;
    for (let i = 0; i < n; i++) {
      const s = base + idx[i]! * slice;
      if (slice >= 64) dst.set(src.subarray(s, s + slice), o);
      else for (let j = 0; j < slice; j++) dst[o + j] = src[s + j]!;
      o += slice;
    }
  }
  return out;
}

/** The row-copy GatherV2 for 'wasm'; batched gathers and strings go to `stock`. */
export function wasmGatherConfig(stock: KernelConfig | undefined): KernelConfig {
  stockGather = stock?.kernelFunc;
  return { kernelName: tf.GatherV2, backendName: 'wasm', kernelFunc: gatherV2 as unknown as KernelFunc };
}
