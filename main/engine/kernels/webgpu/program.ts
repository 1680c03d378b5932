import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A WGSL compute program run through tfjs-backend-webgpu's program interface
 * (`backend.runWebGPUProgram`), the way its own kernels are written. Every input and the output
 * are bound as flat 1-D arrays named after `inputs` (`array<f32>`, `array<i32>` for int32), so the
 * body indexes them directly; sizes come in as uniforms (`uniforms.<name>`), so one compiled
 * pipeline serves every shape. `body` is the inside of `fn main(index : i32)`, where `index` is
 * the flat invocation index: workgroup `index / workgroup`, lane `i32(localId.x)`.
 */
export interface GpuProgramSpec {
  /** Unique per WGSL text (it keys the pipeline cache). */
  readonly key: string;
  readonly inputs: readonly string[];
  /** Elements of the (flat) output. */
  readonly outSize: number;
  /**
   * Workgroups to dispatch: a count, or an [x, y, z] grid (`workgroupId` / `numWorkgroups` give
   * the position). tfjs folds counts above 65,535 into y/z; `index` stays flat either way.
   */
  readonly workgroups: number | readonly [number, number, number];
  /** Invocations per workgroup: a count, or [x, y, z] (`localId`; `index` stays flat). */
  readonly workgroup: number | readonly [number, number, number];
  /** Components per element each input is bound with (4: `array<vec4<f32>>`); default 1. */
  readonly components?: readonly (1 | 4)[];
  /** dtype of the output when the caller passes a shape (default float32). */
  readonly dtype?: 'float32' | 'int32';
  /** Uniform fields: name -> type. */
  readonly uniforms?: Readonly<Record<string, 'i32' | 'f32'>>;
  /** WGSL declared before main (workgroup arrays, helpers). */
  readonly prelude?: string;
  readonly body: string;
}

/** The parts of tfjs' WebGPUBackend a kernel uses. */
export interface WebGpuLike {
  makeTensorInfo(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object): void;
  runWebGPUProgram(
    program: unknown,
    inputs: TensorInfo[],
    dtype: string,
    uniforms?: { type: 'int32' | 'float32'; data: number[] }[],
    output?: TensorInfo,
  ): TensorInfo;
}

const flat = (t: TensorInfo): TensorInfo => ({
  dataId: t.dataId,
  dtype: t.dtype,
  shape: [t.shape.reduce((n, s) => n * s, 1)],
});

/**
 * Runs `spec` on `inputs` into `out` (allocated by the caller with its real shape) or into a new
 * float32 output of `outShape`. `values` fills the uniforms in `spec.uniforms` order.
 */
export function runGpuProgram(
  backend: WebGpuLike,
  spec: GpuProgramSpec,
  inputs: readonly TensorInfo[],
  values: readonly number[],
  out: TensorInfo | number[],
): TensorInfo {
  const uniformTypes = Object.entries(spec.uniforms ?? {});
  const triple = (v: number | readonly [number, number, number]): [number, number, number] =>
    typeof v === 'number' ? [v, 1, 1] : [v[0], v[1], v[2]];
  const program = {
    variableNames: [...spec.inputs],
    ...(spec.components ? { variableComponents: [...spec.components] } : {}),
    outputShape: [spec.outSize],
    dispatchLayout: { x: [0] },
    dispatch: triple(spec.workgroups),
    workgroupSize: triple(spec.workgroup),
    shaderKey: `biomed_${spec.key}`,
    /** Names the program in the dispatch counts (backend/webgpu-counters.ts). */
    biomedKey: spec.key.replace(/_(true|false|\d+)$/g, ''),
    uniforms: uniformTypes.map(([n, t]) => `${n} : ${t},`).join(' '),
    getUserCode: () => `${spec.prelude ?? ''}
      fn main(index : i32) {
        ${spec.body}
      }`,
  };
  const output = Array.isArray(out) ? backend.makeTensorInfo(out, spec.dtype ?? 'float32') : out;
  const data = uniformTypes.map(([, t], i) => ({
    type: t === 'i32' ? ('int32' as const) : ('float32' as const),
    data: [values[i] ?? 0],
  }));
  backend.runWebGPUProgram(program, inputs.map(flat), output.dtype, data, flat(output));
  return output;
}

/** Invocations per workgroup for row and column reductions (WebGPU guarantees 256). */
export const WG = 256;

/** Workgroups for one invocation per element. */
export const groupsFor = (n: number, wg = WG): number => Math.max(1, Math.ceil(n / wg));

/**
 * WGSL: tree-sums `buf[0..WG)` into `buf[0]` across the workgroup (all lanes must call it).
 * Needs `var<workgroup> buf : array<f32, WG>` in the prelude.
 */
export const REDUCE_BUF = `
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s >> 1u) {
    if (lane < s) { buf[lane] = buf[lane] + buf[lane + s]; }
    workgroupBarrier();
  }`;

/** A kernel function in the shape tfjs calls it: named inputs, the backend, attributes. */
export interface GpuKernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WebGpuLike;
  attrs?: Record<string, unknown>;
}

/**
 * Registers WebGPU twins of engine kernels under their kernel names (idempotent: a name already
 * registered for 'webgpu' is left alone). The wasm/cpu twin is registered under the same name by
 * the file in ../ that defines the kernel, so the engine's wrapper takes the same path everywhere.
 */
export function registerWebgpuTwins(
  kernels: readonly (readonly [string, (args: GpuKernelArgs) => TensorInfo | TensorInfo[]])[],
): void {
  for (const [kernelName, fn] of kernels) {
    if (!tf.getKernel(kernelName, 'webgpu')) {
      tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: fn as unknown as KernelFunc });
    }
  }
}

/** Elements of a tensor. */
export const sizeOf = (t: TensorInfo): number => t.shape.reduce((n, s) => n * s, 1);

/**
 * Replaces tfjs-backend-webgpu's own kernels `kernels` with ours (idempotent), keeping each stock
 * kernel function in `stock` as the fallback for what ours do not cover.
 */
export function replaceStockKernels(
  stock: Map<string, KernelFunc>,
  kernels: readonly (readonly [string, (args: never) => TensorInfo])[],
): void {
  for (const [kernelName, fn] of kernels) {
    if (stock.has(kernelName)) continue;
    const config = tf.getKernel(kernelName, 'webgpu');
    if (!config) throw new Error(`tfjs-backend-webgpu registers no ${kernelName} kernel to fall back on`);
    stock.set(kernelName, config.kernelFunc);
    tf.unregisterKernel(kernelName, 'webgpu');
    tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: fn as unknown as KernelFunc });
  }
}
