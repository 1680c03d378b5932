import type { TensorInfo } from '@tensorflow/tfjs-core';
import { SUM_SQUARES } from '#main/engine/kernels/sum-squares';
import { chunksOf, clearElements, copyElements, maxBindingBytes, submit } from './flat';
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
 * buffers per program, often 8) and without one program per weight: the tensors are gathered by
 * buffer copies into flat chunks (./flat.ts), each chunk gets one program of up to MAX_GROUPS
 * workgroups (one per ELEMS_PER_GROUP elements) that writes one partial sum per workgroup into its
 * range of one shared buffer, and a last workgroup adds all partials. Each chunk is submitted
 * before the next so its copy returns to the pool.
 */

/** Elements per chunk at most (64 MiB), less where bindings are smaller. */
const CHUNK_CAP = 1 << 24;
const MAX_GROUPS = 256;
const ELEMS_PER_GROUP = 16 * WG;

interface Args {
  inputs: TensorInfo[] | Record<string, TensorInfo>;
  backend: WebGpuLike;
  attrs?: Record<string, unknown>;
}

function sumSquares({ inputs, backend, attrs }: Args): TensorInfo {
  const list = Array.isArray(inputs) ? inputs : Object.values(inputs);
  const sizes = list.map(sizeOf);
  const limit = Math.floor(maxBindingBytes(backend) / 4);
  const cap = Math.min(Number(attrs?.['maxChunkElems'] ?? 0) || CHUNK_CAP, limit);
  const chunks = chunksOf(
    sizes,
    sizes.map((_, i) => i),
    cap,
  );
  const groups = chunks.map((c) => Math.min(MAX_GROUPS, Math.max(1, Math.ceil(c.size / ELEMS_PER_GROUP))));
  const total = Math.max(
    1,
    groups.reduce((a, b) => a + b, 0),
  );
  const partial = backend.makeTensorInfo([total], 'float32');
  if (chunks.length === 0) clearElements(backend, partial, 0, total);
  let base = 0;
  chunks.forEach((c, i) => {
    const g = groups[i]!;
    // A chunk of one whole tensor is that tensor: no copy.
    const whole = c.pieces.length === 1 && c.pieces[0]!.n === sizes[c.pieces[0]!.tensor];
    const x = whole ? list[c.pieces[0]!.tensor]! : backend.makeTensorInfo([c.size], 'float32');
    if (!whole) for (const pc of c.pieces) copyElements(backend, list[pc.tensor]!, pc.from, x, pc.to, pc.n);
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
      [x],
      [c.size, base, g],
      partial,
    );
    if (!whole) {
      backend.disposeData(x.dataId);
      submit(backend);
    }
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
