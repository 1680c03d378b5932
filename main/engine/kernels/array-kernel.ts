import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** The parts of tfjs' wasm backend an array kernel uses. */
interface WasmLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array;
}

/** The parts of tfjs' cpu backend an array kernel uses. */
interface CpuLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo;
}

/** Kernel arguments as tfjs passes them to a kernel registered for 'wasm' or 'cpu'. */
export interface ArrayKernelArgs {
  readonly inputs: Record<string, TensorInfo | undefined>;
  readonly backend: WasmLike | CpuLike;
  readonly attrs?: NamedAttrMap;
}

/**
 * Runs a kernel written over plain typed arrays on either backend: allocates float32 outputs of
 * `shapes`, then calls `fn` with the inputs' and outputs' arrays (heap views on wasm, so no copy).
 * Missing (optional) inputs arrive as undefined.
 */
export function runArrayKernel<I extends Float32Array | Int32Array | undefined = Float32Array>(
  args: ArrayKernelArgs,
  inputs: readonly (TensorInfo | undefined)[],
  shapes: readonly number[][],
  fn: (ins: I[], outs: Float32Array[]) => void,
): TensorInfo[] {
  const b = args.backend;
  if ('typedArrayFromHeap' in b) {
    const outs = shapes.map((s) => b.makeOutput([...s], 'float32'));
    // Views after every allocation: an allocation can replace the heap buffer.
    fn(
      inputs.map((t) => (t ? b.typedArrayFromHeap(t) : undefined) as I),
      outs.map((t) => b.typedArrayFromHeap(t) as Float32Array),
    );
    return outs;
  }
  const arrays = shapes.map((s) => new Float32Array(s.reduce((n, x) => n * x, 1)));
  fn(
    inputs.map((t) => (t ? b.data.get(t.dataId).values : undefined) as I),
    arrays,
  );
  return arrays.map((a, i) => b.makeTensorInfo([...shapes[i]!], 'float32', a));
}

/**
 * Registers array kernels for 'wasm' and 'cpu' (idempotent: a name already registered for a
 * backend is left alone); returns `${names[0]}:${backend}` per backend, as the run records them.
 */
export function registerArrayKernels(
  kernels: readonly (readonly [string, (args: ArrayKernelArgs) => TensorInfo[]])[],
): string[] {
  return ['wasm', 'cpu'].map((backendName) => {
    for (const [kernelName, fn] of kernels) {
      if (!tf.getKernel(kernelName, backendName)) {
        tf.registerKernel({ kernelName, backendName, kernelFunc: fn as unknown as KernelFunc });
      }
    }
    return `${kernels[0]![0]}:${backendName}`;
  });
}
