import * as tf from '@tensorflow/tfjs-core';
import { hasEngineKernel } from './own-kernels';

/**
 * The model's convolution with its PyTorch-layout filter [O, C, k, k] read and written in place,
 * where a backend registers CONV2D (webgpu: ./webgpu/conv.ts, implicit GEMM): one program
 * forward, one for the input gradient, one or two for the filter gradient, and no transposes of
 * the filter to tfjs' HWIO and back. Elsewhere convOihw returns undefined and model/conv.ts keeps
 * tf.conv2d / im2col (wasm and cpu unchanged). NHWC, symmetric zero padding, dilation 1.
 */
export const CONV2D = 'BiomedConv2D';
export const CONV2D_INPUT_GRAD = 'BiomedConv2DBackpropInput';
export const CONV2D_FILTER_GRAD = 'BiomedConv2DBackpropFilter';

/** A convolution's sizes (NHWC, dilation 1, one group), as both backends' kernels use them. */
export interface ConvGeometry {
  readonly batch: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outH: number;
  readonly outW: number;
  readonly outC: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** tfjs' geometry of x (NHWC) and an HWIO filter shape under a tfjs conv kernel's attributes. */
export function tfjsConvGeometry(
  xShape: number[],
  filterShape: number[],
  attrs: tf.NamedAttrMap,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number],
    1,
    attrs['pad'] as 'same',
    attrs['dimRoundingMode'] as 'floor' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Attributes of all three kernels. */
export interface ConvAttrs {
  readonly stride: number;
  readonly pad: number;
}

let gradientRegistered = false;

/**
 * Gradients by input, so the tape asks only for those it needs (the stem's input gradient is
 * never computed: the images need none).
 */
function registerConvGradient(): void {
  if (gradientRegistered || tf.getGradient(CONV2D)) return;
  gradientRegistered = true;
  tf.registerGradient({
    kernelName: CONV2D,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved, attrs) => {
      const [x, w] = saved as [tf.Tensor4D, tf.Tensor4D];
      const a = { stride: attrs['stride'], pad: attrs['pad'] } as unknown as tf.NamedAttrMap;
      return {
        x: () =>
          tf.engine().runKernel(CONV2D_INPUT_GRAD, { dy: dy as tf.Tensor, w }, { ...a, inputShape: x.shape }),
        w: () =>
          tf
            .engine()
            .runKernel(CONV2D_FILTER_GRAD, { x, dy: dy as tf.Tensor }, { ...a, filterShape: w.shape }),
      } as unknown as Record<string, () => tf.Tensor>;
    },
  });
}

/**
 * x [B, H, W, C] convolved with w [O, C, k, k] (stride, symmetric zero padding `pad`) ->
 * [B, Ho, Wo, O], differentiable; undefined where no backend kernel is registered (or the
 * engine's WebGPU kernels are switched off).
 */
export function convOihw(x: tf.Tensor4D, w: tf.Tensor, stride: number, pad: number): tf.Tensor4D | undefined {
  if (!hasEngineKernel(CONV2D)) return undefined;
  registerConvGradient();
  const attrs: ConvAttrs = { stride, pad };
  return tf.engine().runKernel(CONV2D, { x, w }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
