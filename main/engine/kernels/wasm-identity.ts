import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Identity that shares the input's memory (a reference count) instead of copying it, as the
 * JS backend does. tfjs calls Identity for every tensor it saves for the backward pass
 * (engine clone + keep), so the stock wasm kernel, which copies, doubled the memory of a
 * training step (cpu-s: 640 MB of 1.1 GB allocated per step were Identity copies). Sharing is
 * safe because no wasm kernel writes into its inputs: outputs always come from makeOutput, and
 * Reshape already shares memory the same way.
 */

interface IdentityBackend {
  incRef(dataId: object): void;
}

let stockIdentity: KernelFunc | undefined;

function identity(args: { inputs: { x?: TensorInfo }; backend: IdentityBackend }): TensorInfo {
  const { x } = args.inputs;
  if (!x) throw new Error('Identity needs input x');
  if (x.dtype === 'string') {
    if (!stockIdentity) throw new Error('Identity of strings needs the stock wasm kernel');
    return stockIdentity(args as never) as TensorInfo;
  }
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** The sharing Identity for 'wasm'; string tensors still go to `stock`. */
export function wasmIdentityConfig(stock: KernelConfig | undefined): KernelConfig {
  stockIdentity = stock?.kernelFunc;
  return { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identity as unknown as KernelFunc };
}
