import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, tfjsConvGeometry } from './conv2d';
import { cpuGemm } from './cpu-gemm';
import type { WasmBackendLike } from './wasm-views';

/**
 * Convolution gradients for the wasm backend, so tf.conv2d (XNNPACK forward) trains there:
 * - Conv2DBackpropFilter (missing in tfjs-backend-wasm 4.22): dW = im2col(x)^T dy, with the
 *   transposed im2col written directly;
 * - Conv2DBackpropInput (stock: a scalar loop, 7-26 ms on ResNet-stem shapes): dx = col2im(dy W^T).
 * im2col (transposed) and col2im are JS loops over heap memory; the products go through the engine's wasm
 * BatchMatMul (XNNPACK). NHWC, dilation 1 only (what tf.conv2d's gradient asks for here).
 * Where the native GEMM runs (cpu-gemm.ts), im2col (plain, read transposed by the GEMM: dW =
 * cols^T dy) and col2im are its C loops instead (col2im: the same sums in the same order).
 */

type F32 = Float32Array;

interface HeapBackend extends WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): F32;
}

const offset = (b: HeapBackend, t: TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;

type Geometry = ConvGeometry;

function geometry(xShape: number[], filterShape: number[], attrs: NamedAttrMap): Geometry {
  if ((attrs['dataFormat'] ?? 'NHWC') !== 'NHWC') throw new Error('wasm conv backprop: NHWC only');
  return tfjsConvGeometry(xShape, filterShape, attrs);
}

/**
 * im2col written transposed: colsT[(kh, kw, c), (b, oh, ow)] = x[b, oh*s - pad + kh, ow*s - pad + kw, c]
 * (0 outside). The filter
 * gradient colsT dy then has dy ([N, outC], small) as XNNPACK's packed operand and no transposes.
 */
export function im2colTransposed(x: F32, g: Geometry, colsT: F32): void {
  const { inH, inW, inC: c, kH, kW, outH, outW, strideH, strideW } = g;
  const n = g.batch * outH * outW;
  for (let kh = 0; kh < kH; kh++) {
    for (let kw = 0; kw < kW; kw++) {
      for (let ch = 0; ch < c; ch++) {
        let o = ((kh * kW + kw) * c + ch) * n;
        for (let b = 0; b < g.batch; b++) {
          for (let oh = 0; oh < outH; oh++) {
            const h = oh * strideH - g.padTop + kh;
            if (h < 0 || h >= inH) {
              colsT.fill(0, o, o + outW);
              o += outW;
              continue;
            }
            const rowBase = (b * inH + h) * inW;
            for (let ow = 0; ow < outW; ow++) {
              const w = ow * strideW - g.padLeft + kw;
              colsT[o++] = w < 0 || w >= inW ? 0 : x[(rowBase + w) * c + ch]!;
            }
          }
        }
      }
    }
  }
}

/** dx[b, h, w, c] += dcols[...] for every (oh, ow, kh, kw) that read it; dx zeroed here. */
export function col2im(dcols: F32, g: Geometry, dx: F32): void {
  dx.fill(0);
  const { inH, inW, inC: c, kH, kW } = g;
  let o = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oh = 0; oh < g.outH; oh++) {
      for (let ow = 0; ow < g.outW; ow++) {
        for (let kh = 0; kh < kH; kh++) {
          const h = oh * g.strideH - g.padTop + kh;
          for (let kw = 0; kw < kW; kw++) {
            const w = ow * g.strideW - g.padLeft + kw;
            if (h >= 0 && h < inH && w >= 0 && w < inW) {
              const s = ((b * inH + h) * inW + w) * c;
              for (let j = 0; j < c; j++) dx[s + j]! += dcols[o + j]!;
            }
            o += c;
          }
        }
      }
    }
  }
}

/** 1x1 kernel, stride 1, no padding: im2col is the identity. */
function isPointwise(g: Geometry): boolean {
  return g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;
}

function matMul(
  backend: HeapBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const kernel = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!kernel) throw new Error('wasm BatchMatMul is not registered');
  return kernel.kernelFunc({
    inputs: { a, b },
    backend,
    attrs: { transposeA, transposeB },
  } as never) as TensorInfo;
}

type Args = { inputs: Record<string, TensorInfo>; backend: HeapBackend; attrs?: NamedAttrMap };

function backpropFilter(args: Args): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const attrs = args.attrs ?? {};
  const filterShape = attrs['filterShape'] as number[]; // [kH, kW, inC, outC]
  const g = geometry(x.shape, filterShape, attrs);
  const b = args.backend;
  const n = g.batch * g.outH * g.outW;
  const kkc = g.kH * g.kW * g.inC;
  const dy2: TensorInfo = { dataId: dy.dataId, shape: [n, g.outC], dtype: 'float32' };
  if (isPointwise(g)) {
    // 1x1, stride 1, no padding: x itself is the im2col matrix.
    const x2: TensorInfo = { dataId: x.dataId, shape: [n, kkc], dtype: 'float32' };
    const dw = matMul(b, x2, dy2, true, false); // [inC, outC]
    dw.shape = [...filterShape];
    return dw;
  }
  const lowering = cpuGemm(b)?.lowering;
  if (lowering) {
    const cols = b.makeOutput([n, kkc], 'float32');
    try {
      lowering.im2col(offset(b, x), offset(b, cols), g);
      const dw = matMul(b, cols, dy2, true, false); // [kH*kW*inC, outC] = HWIO flattened
      dw.shape = [...filterShape];
      return dw;
    } finally {
      b.disposeData(cols.dataId);
    }
  }
  const colsT = b.makeOutput([kkc, n], 'float32');
  try {
    im2colTransposed(b.typedArrayFromHeap(x), g, b.typedArrayFromHeap(colsT));
    const dw = matMul(b, colsT, dy2, false, false); // [kH*kW*inC, outC] = HWIO flattened
    dw.shape = [...filterShape];
    return dw;
  } finally {
    b.disposeData(colsT.dataId);
  }
}

function backpropInput(args: Args): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const attrs = args.attrs ?? {};
  const inputShape = attrs['inputShape'] as number[];
  const g = geometry(inputShape, filter.shape, attrs);
  const b = args.backend;
  const n = g.batch * g.outH * g.outW;
  const kkc = g.kH * g.kW * g.inC;
  const dy2: TensorInfo = { dataId: dy.dataId, shape: [n, g.outC], dtype: 'float32' };
  const w2: TensorInfo = { dataId: filter.dataId, shape: [kkc, g.outC], dtype: 'float32' };
  const dcols = matMul(b, dy2, w2, false, true); // [N, kH*kW*inC]
  if (isPointwise(g)) {
    dcols.shape = [...inputShape]; // 1x1, stride 1, no padding: dcols is dx
    return dcols;
  }
  try {
    const dx = b.makeOutput([...inputShape], 'float32');
    const lowering = cpuGemm(b)?.lowering;
    if (lowering) lowering.col2im(offset(b, dcols), offset(b, dx), g);
    else col2im(b.typedArrayFromHeap(dcols), g, b.typedArrayFromHeap(dx));
    return dx;
  } finally {
    b.disposeData(dcols.dataId);
  }
}

/** Conv2DBackpropFilter for 'wasm' (the package has none). */
export const wasmConv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: backpropFilter as unknown as KernelFunc,
};

/** Conv2DBackpropInput for 'wasm' through XNNPACK + col2im. */
export const wasmConv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: backpropInput as unknown as KernelFunc,
};
