import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type AdamWManyAttrs, FUSED_ADAMW_MANY, itemInput } from '#main/engine/kernels/adamw-many';
import { chunksOf, clearElements, copyElements, maxBindingBytes, submit } from './flat';
import { groupsFor, runGpuProgram, type WebGpuLike, WG } from './program';

/**
 * WebGPU kernel of the whole-set AdamW update (../adamw-many.ts). Weights with the same decay
 * rate are laid end to end and cut into chunks; per chunk, p, g, m, v are gathered into four flat
 * buffers by copies, one dispatch writes [p' | m' | v'] into one output (a tfjs program has one
 * output), and copies scatter that back into each weight's new p, m, v. So a step costs one
 * dispatch per chunk instead of three per weight (the per-weight kernel, ./adamw.ts). The formula
 * and its float32 rounding are those of ./adamw.ts. Each chunk is submitted before the next, so
 * its temporaries return to the pool: at most 7 x CHUNK_CAP floats are held beside the weights.
 */

/** Elements per chunk at most: 16 Mi (64 MiB per flat buffer), less where bindings are smaller. */
const CHUNK_CAP = 1 << 24;

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WebGpuLike;
  attrs?: Record<string, unknown>;
}

const sizeOf = (t: TensorInfo) => t.shape.reduce((k, x) => k * x, 1);

function updateMany({ inputs, backend, attrs }: Args): TensorInfo[] {
  const a = attrs as unknown as AdamWManyAttrs;
  const items = Array.from({ length: a.count }, (_, i) => ({
    p: inputs[itemInput('p', i)]!,
    g: inputs[itemInput('g', i)]!,
    m: inputs[itemInput('m', i)],
    v: inputs[itemInput('v', i)],
    decay: a.decayRates[i] ?? 0,
  }));
  const outs = items.map((it) => [0, 1, 2].map(() => backend.makeTensorInfo([...it.p.shape], 'float32')));
  const sizes = items.map((it) => sizeOf(it.p));
  // The output holds three values per element.
  const cap = Math.min(a.maxChunkElems || CHUNK_CAP, Math.floor(maxBindingBytes(backend) / 12));
  const hasMoments = items.some((it) => it.m && it.v);
  for (const decay of [...new Set(items.map((it) => it.decay))]) {
    const order = items.flatMap((it, i) => (it.decay === decay && sizes[i]! > 0 ? [i] : []));
    for (const chunk of chunksOf(sizes, order, cap)) {
      const n = chunk.size;
      const flat = (hasMoments ? [0, 1, 2, 3] : [0, 1]).map(() => backend.makeTensorInfo([n], 'float32'));
      const [P, G, M, V] = flat as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
      for (const pc of chunk.pieces) {
        const it = items[pc.tensor]!;
        copyElements(backend, it.p, pc.from, P, pc.to, pc.n);
        copyElements(backend, it.g, pc.from, G, pc.to, pc.n);
        if (!hasMoments) continue;
        if (it.m && it.v) {
          copyElements(backend, it.m, pc.from, M, pc.to, pc.n);
          copyElements(backend, it.v, pc.from, V, pc.to, pc.n);
        } else {
          clearElements(backend, M, pc.to, pc.n);
          clearElements(backend, V, pc.to, pc.n);
        }
      }
      // 1 - beta in double: in f32 on the GPU 1 - 0.999f is off by 1.3e-5 relative (as ./adamw.ts).
      const out = runGpuProgram(
        backend,
        {
          key: `adamw_many_${hasMoments}`,
          inputs: hasMoments ? ['P', 'G', 'M', 'V'] : ['P', 'G'],
          outSize: 3 * n,
          workgroups: groupsFor(n),
          workgroup: WG,
          uniforms: {
            n: 'i32',
            beta1: 'f32',
            cbeta1: 'f32',
            beta2: 'f32',
            cbeta2: 'f32',
            eps: 'f32',
            decay: 'f32',
            step: 'f32',
            scale: 'f32',
          },
          body: `
            let n = uniforms.n;
            if (index >= n) { return; }
            let gi = G[index] * uniforms.scale;
            let mi = ${hasMoments ? 'M[index] * uniforms.beta1 + ' : ''}gi * uniforms.cbeta1;
            let vi = ${hasMoments ? 'V[index] * uniforms.beta2 + ' : ''}gi * gi * uniforms.cbeta2;
            let pi = P[index];
            result[index] = pi - pi * uniforms.decay - (mi / (sqrt(vi) + uniforms.eps)) * uniforms.step;
            result[n + index] = mi;
            result[2 * n + index] = vi;`,
        },
        hasMoments ? flat : [P, G],
        [n, a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.eps, decay, a.stepSize, a.gradScale],
        [3 * n],
      );
      for (const pc of chunk.pieces) {
        const o = outs[pc.tensor]!;
        for (let k = 0; k < 3; k++) copyElements(backend, out, k * n + pc.to, o[k]!, pc.from, pc.n);
      }
      for (const t of [...flat, out]) backend.disposeData(t.dataId);
      submit(backend);
    }
  }
  return outs.flat();
}

/** Registers the kernel for 'webgpu' (idempotent). */
export function registerWebgpuAdamWMany(): string[] {
  if (!tf.getKernel(FUSED_ADAMW_MANY, 'webgpu')) {
    tf.registerKernel({
      kernelName: FUSED_ADAMW_MANY,
      backendName: 'webgpu',
      kernelFunc: updateMany as unknown as KernelFunc,
    });
  }
  return [`${FUSED_ADAMW_MANY}:webgpu`];
}
