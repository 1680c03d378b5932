import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SUM_SQUARES } from '#main/engine/kernels/sum-squares';
import {
  type GpuKernelArgs,
  registerWebgpuTwins,
  runGpuProgram,
  sizeOf,
  type WebGpuLike,
  WG,
} from './program';

/**
 * WebGPU twin of the sum-of-squares kernel (../sum-squares.ts): the gradient's global norm over
 * every weight without one giant addN (WebGPU binds at most maxStorageBuffersPerShaderStage
 * buffers per program, often 8). Each tensor gets one program of up to MAX_GROUPS workgroups
 * (one per ELEMS_PER_GROUP elements) that writes one partial sum per workgroup into its range of
 * one shared buffer; a last workgroup adds all partials.
 */

const MAX_GROUPS = 256;
const ELEMS_PER_GROUP = 16 * WG;

interface Args {
  inputs: TensorInfo[] | Record<string, TensorInfo>;
  backend: WebGpuLike;
}

function sumSquares({ inputs, backend }: Args): TensorInfo {
  const list = Array.isArray(inputs) ? inputs : Object.values(inputs);
  const sizes = list.map(sizeOf);
  const groups = sizes.map((n) => Math.min(MAX_GROUPS, Math.max(1, Math.ceil(n / ELEMS_PER_GROUP))));
  const total = groups.reduce((a, b) => a + b, 0);
  const partial = backend.makeTensorInfo([total], 'float32');
  let base = 0;
  list.forEach((t, i) => {
    const n = sizes[i]!;
    const g = groups[i]!;
    runGpuProgram(
      backend,
      {
        key: 'sumsq_partial',
        inputs: ['x'],
        outSize: total,
        workgroups: g,
        workgroup: WG,
        uniforms: { n: 'i32', base: 'i32', groups: 'i32' },
        prelude: `var<workgroup> buf : array<f32, ${WG}>;`,
        body: `
          let lane = i32(localId.x);
          let group = index / ${WG};
          var s = 0.0;
          for (var k = index; k < uniforms.n; k += ${WG} * uniforms.groups) { let e = x[k]; s += e * e; }
          buf[lane] = s;
          workgroupBarrier();
          for (var h = ${WG / 2}; h > 0; h = h >> 1u) {
            if (lane < h) { buf[lane] = buf[lane] + buf[lane + h]; }
            workgroupBarrier();
          }
          if (lane == 0 && group < uniforms.groups) { result[uniforms.base + group] = buf[0]; }`,
      },
      [t],
      [n, base, g],
      partial,
    );
    base += g;
  });
  const out = runGpuProgram(
    backend,
    {
      key: 'sumsq_final',
      inputs: ['partial'],
      outSize: 1,
      workgroups: 1,
      workgroup: WG,
      uniforms: { n: 'i32' },
      prelude: `var<workgroup> buf : array<f32, ${WG}>;`,
      body: `
        let lane = i32(localId.x);
        var s = 0.0;
        for (var k = lane; k < uniforms.n; k += ${WG}) { s += partial[k]; }
        buf[lane] = s;
        workgroupBarrier();
        for (var h = ${WG / 2}; h > 0; h = h >> 1u) {
          if (lane < h) { buf[lane] = buf[lane] + buf[lane + h]; }
          workgroupBarrier();
        }
        if (lane == 0) { result[0] = buf[0]; }`,
    },
    [partial],
    [total],
    [],
  );
  backend.disposeData(partial.dataId);
  return out;
}

/** Registers the kernel for 'webgpu' (idempotent). */
export function registerWebgpuSumSquares(): string[] {
  registerWebgpuTwins([[SUM_SQUARES, sumSquares as (a: GpuKernelArgs) => TensorInfo]]);
  return [`${SUM_SQUARES}:webgpu`];
}
