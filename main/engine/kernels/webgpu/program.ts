import type { TensorInfo } from '@tensorflow/tfjs-core';

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
  /** Workgroups to dispatch (tfjs folds counts above 65,535 into y/z; `index` stays flat). */
  readonly workgroups: number;
  /** Invocations per workgroup. */
  readonly workgroup: number;
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
  const program = {
    variableNames: [...spec.inputs],
    outputShape: [spec.outSize],
    dispatchLayout: { x: [0] },
    dispatch: [spec.workgroups, 1, 1] as [number, number, number],
    workgroupSize: [spec.workgroup, 1, 1] as [number, number, number],
    shaderKey: `biomed_${spec.key}`,
    uniforms: uniformTypes.map(([n, t]) => `${n} : ${t},`).join(' '),
    getUserCode: () => `${spec.prelude ?? ''}
      fn main(index : i32) {
        ${spec.body}
      }`,
  };
  const output = Array.isArray(out) ? backend.makeTensorInfo(out, 'float32') : out;
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
