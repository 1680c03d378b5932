import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { wasmOps } from './wasm-ops';

/**
 * MaxPool's gradient on wasm in one pass of ops.c (bw_max_pool_grad): each dy goes to the first
 * maximum of its window (row-major, from -inf, as tfjs' cpu backend and PyTorch route it), summed in
 * dy order. The stock wasm kernel (tfjs 4.22) gives the same bits where a window's maximum is
 * positive but drops the gradient of a window whose maximum is <= 0 (all-zero windows after the
 * stem's ReLU); it also took ~5-8 ms for the cpu-s stem's one call (wasm-max-pool-grad.test.ts).
 * Other dtypes and ranks and BIOMED_WASM_OPS=composed go to the stock kernel.
 */

let stock: KernelFunc | undefined;

type Args = { inputs: { dy?: TensorInfo; input?: TensorInfo }; backend: unknown; attrs?: NamedAttrMap };

function maxPoolGrad(args: Args): TensorInfo {
  const { dy, input } = args.inputs;
  const ops = wasmOps(args.backend);
  const { filterSize, strides, pad, dimRoundingMode } = (args.attrs ?? {}) as unknown as tf.MaxPoolGradAttrs;
  if (!ops || !dy || !input || input.dtype !== 'float32' || input.shape.length !== 4) {
    return stock!(args as never) as TensorInfo;
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [dxT] = ops.run([input, dy], [input.shape], ([x, g], [dx]) =>
    ops.ex.bw_max_pool_grad(
      x!,
      g!,
      dx!,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.effectiveFilterHeight,
      info.effectiveFilterWidth,
      info.padInfo.top,
      info.padInfo.left,
    ),
  );
  return dxT!;
}

/** The one-pass MaxPoolGrad for 'wasm'; what it does not take goes to `stockConfig`. */
export function wasmMaxPoolGradConfig(stockConfig: KernelConfig | undefined): KernelConfig {
  stock = stockConfig?.kernelFunc;
  return {
    kernelName: tf.MaxPoolGrad,
    backendName: 'wasm',
    kernelFunc: maxPoolGrad as unknown as KernelFunc,
  };
}
