import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import {
  CONV2D,
  CONV2D_FILTER_GRAD,
  CONV2D_INPUT_GRAD,
  type ConvGeometry,
  tfjsConvGeometry,
} from '#main/engine/kernels/conv2d';
import { ownWebgpuKernels } from '#main/engine/kernels/own-kernels';
import { type ConvPass, runConv } from './conv-program';
import { type GpuKernelArgs, registerWebgpuTwins, replaceStockKernels, type WebGpuLike } from './program';

/**
 * Convolutions as implicit GEMM (./conv-program.ts) for 'webgpu':
 * - over tfjs' own kernel names Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter (HWIO
 *   filters; stock 4.22's filter gradient is one thread per weight looping over batch x H x W);
 *   the stock kernels stay the fallback for what ours do not cover (NCHW, dilation, non-float32)
 *   and run everywhere with BIOMED_WEBGPU_KERNELS=stock;
 * - the engine's BiomedConv2D and its two gradients (../conv2d.ts: PyTorch OIHW filters, what
 *   model/conv.ts runs, so no filter transposes).
 * FusedConv2D is left stock: the model does not use it (BatchNorm follows every convolution).
 */

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WebGpuLike;
  attrs: Record<string, unknown>;
}

/** One pass as a kernel: its two inputs by name and where the geometry's shapes come from. */
interface PassKernel {
  readonly pass: ConvPass;
  readonly a: string;
  readonly b: string;
  /** [x shape, filter shape] of the convolution. */
  readonly shapes: (a: TensorInfo, b: TensorInfo, attrs: Record<string, unknown>) => [number[], number[]];
  /** The output's shape from the geometry and the shapes. */
  readonly outShape: (g: ConvGeometry, x: number[], f: number[]) => number[];
}

const PASSES: Record<ConvPass, PassKernel> = {
  forward: {
    pass: 'forward',
    a: 'x',
    b: 'filter',
    shapes: (x, f) => [x.shape, f.shape],
    outShape: (g) => [g.batch, g.outH, g.outW, g.outC],
  },
  input: {
    pass: 'input',
    a: 'dy',
    b: 'filter',
    shapes: (_, f, attrs) => [attrs['inputShape'] as number[], f.shape],
    outShape: (_, x) => [...x],
  },
  filter: {
    pass: 'filter',
    a: 'x',
    b: 'dy',
    shapes: (x, _, attrs) => [x.shape, attrs['filterShape'] as number[]],
    outShape: (_, __, f) => [...f],
  },
};

const stock = new Map<string, KernelFunc>();

/** Whether ours cover a tfjs conv kernel call: NHWC, dilation 1, float32, a non-empty output. */
function covered(attrs: Record<string, unknown>, a: TensorInfo, b: TensorInfo): boolean {
  const d = attrs['dilations'] ?? 1;
  return (
    (attrs['dataFormat'] ?? 'NHWC') === 'NHWC' &&
    (d === 1 || (Array.isArray(d) && d.every((v) => v === 1))) &&
    a.dtype === 'float32' &&
    b.dtype === 'float32'
  );
}

/** The kernel over tfjs' name `name` (HWIO filters), falling back to the stock one. */
function tfjsKernel(name: string, k: PassKernel) {
  return (args: Args): TensorInfo => {
    const a = args.inputs[k.a]!;
    const b = args.inputs[k.b]!;
    if (ownWebgpuKernels() && covered(args.attrs, a, b)) {
      const [xs, fs] = k.shapes(a, b, args.attrs);
      const g = tfjsConvGeometry(xs, fs, args.attrs as tf.NamedAttrMap);
      if (g.outH > 0 && g.outW > 0 && g.batch > 0) {
        return runConv(args.backend, {
          pass: k.pass,
          layout: 'hwio',
          g,
          a,
          b,
          outShape: k.outShape(g, xs, fs),
        });
      }
    }
    return stock.get(name)!(args as never) as TensorInfo;
  };
}

/** Geometry of the engine kernels: x shape, OIHW filter shape, stride, symmetric pad. */
export function oihwGeometry(xShape: number[], wShape: number[], stride: number, pad: number): ConvGeometry {
  const [batch, inH, inW, inC] = xShape as [number, number, number, number];
  const [outC, wc, kH, kW] = wShape as [number, number, number, number];
  if (xShape.length !== 4 || wShape.length !== 4 || wc !== inC) {
    throw new Error(
      `${CONV2D}: input ${JSON.stringify(xShape)} (NHWC) and filter ${JSON.stringify(wShape)} (OIHW) do not match`,
    );
  }
  const outH = Math.floor((inH + 2 * pad - kH) / stride) + 1;
  const outW = Math.floor((inW + 2 * pad - kW) / stride) + 1;
  if (!(outH > 0 && outW > 0 && stride >= 1)) {
    throw new Error(
      `${CONV2D}: no output for input ${JSON.stringify(xShape)}, kernel ${kH}x${kW}, stride ${stride}, pad ${pad}`,
    );
  }
  return {
    batch,
    inH,
    inW,
    inC,
    outH,
    outW,
    outC,
    kH,
    kW,
    strideH: stride,
    strideW: stride,
    padTop: pad,
    padLeft: pad,
  };
}

/** The engine kernel of a pass (OIHW filter as `w`; attrs stride, pad and the shape attribute). */
function engineKernel(k: PassKernel) {
  return (args: GpuKernelArgs): TensorInfo => {
    const attrs = args.attrs ?? {};
    const a = args.inputs[k.a === 'filter' ? 'w' : k.a]!;
    const b = args.inputs[k.b === 'filter' ? 'w' : k.b]!;
    const [xs, fs] = k.shapes(a, b, attrs);
    const g = oihwGeometry(xs, fs, attrs['stride'] as number, attrs['pad'] as number);
    return runConv(args.backend, { pass: k.pass, layout: 'oihw', g, a, b, outShape: k.outShape(g, xs, fs) });
  };
}

/** Our convolutions for webgpu (idempotent); the stock ones are kept as fallback. */
export function registerWebgpuConv(): string[] {
  replaceStockKernels(stock, [
    [tf.Conv2D, tfjsKernel(tf.Conv2D, PASSES.forward)],
    [tf.Conv2DBackpropInput, tfjsKernel(tf.Conv2DBackpropInput, PASSES.input)],
    [tf.Conv2DBackpropFilter, tfjsKernel(tf.Conv2DBackpropFilter, PASSES.filter)],
  ]);
  registerWebgpuTwins([
    [CONV2D, engineKernel(PASSES.forward)],
    [CONV2D_INPUT_GRAD, engineKernel(PASSES.input)],
    [CONV2D_FILTER_GRAD, engineKernel(PASSES.filter)],
  ]);
  return [
    `${tf.Conv2D}:webgpu-own`,
    `${tf.Conv2DBackpropInput}:webgpu-own`,
    `${tf.Conv2DBackpropFilter}:webgpu-own`,
    `${CONV2D}:webgpu`,
  ];
}
