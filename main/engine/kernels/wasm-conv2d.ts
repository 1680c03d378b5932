import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, tfjsConvGeometry } from './conv2d';
import { cpuGemm } from './cpu-gemm';
import type { WasmBackendLike } from './wasm-views';

/**
 * Conv2D forward for 'wasm' where the native GEMM runs (cpu-gemm.ts): y = im2col(x) W, the
 * lowering in the addon's C and the product on all its threads (the stock kernel is XNNPACK on
 * one thread). 1x1 stride-1 unpadded convolutions multiply x itself. Anything else (no native
 * GEMM, dilation, NCHW) goes to the stock kernel.
 */

type Args = {
  inputs: { x?: TensorInfo; filter?: TensorInfo };
  backend: WasmBackendLike;
  attrs?: NamedAttrMap;
};

function dilated(attrs: NamedAttrMap): boolean {
  const d = attrs['dilations'];
  if (d === undefined) return false;
  return Array.isArray(d) ? d.some((v) => v !== 1) : d !== 1;
}

function pointwise(g: ConvGeometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;
}

/** The kernel config replacing Conv2D on wasm, falling back to `stock`. */
export function wasmConv2DConfig(stock: KernelConfig | undefined): KernelConfig {
  const fallback = (args: Args): TensorInfo => {
    if (!stock) throw new Error('wasm Conv2D: the stock kernel is not registered');
    return stock.kernelFunc(args as never) as TensorInfo;
  };
  const conv = (args: Args): TensorInfo => {
    const { x, filter } = args.inputs;
    const attrs = args.attrs ?? {};
    const backend = args.backend;
    const gemm = cpuGemm(backend);
    if (!x || !filter || !gemm?.lowering || dilated(attrs) || (attrs['dataFormat'] ?? 'NHWC') !== 'NHWC') {
      return fallback(args);
    }
    if (x.dtype !== 'float32' || filter.dtype !== 'float32') return fallback(args);
    const g = tfjsConvGeometry(x.shape, filter.shape, attrs); // filter [kH, kW, inC, outC]
    const out = backend.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
    const n = g.batch * g.outH * g.outW;
    const kkc = g.kH * g.kW * g.inC;
    if (n === 0 || g.outC === 0) return out;
    const offset = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
    const product = { b: offset(filter), out: offset(out), batchA: 1, batchB: 1, m: n, k: kkc, n: g.outC };
    if (pointwise(g)) {
      gemm.multiply({ ...product, a: offset(x), transposeB: false }); // [N, inC] x [inC, outC]
      return out;
    }
    const cols = backend.makeOutput([n, kkc], 'float32');
    try {
      gemm.lowering.im2col(offset(x), offset(cols), g);
      gemm.multiply({ ...product, a: offset(cols), transposeB: false }); // [N, kH*kW*inC] x HWIO
    } finally {
      backend.disposeData(cols.dataId);
    }
    return out;
  };
  return { kernelName: tf.Conv2D, backendName: 'wasm', kernelFunc: conv as unknown as KernelFunc };
}
