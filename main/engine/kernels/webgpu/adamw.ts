import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type AdamWScalars, FUSED_ADAMW } from '#main/engine/kernels/adamw-fused';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, sizeOf, WG } from './program';

/**
 * WebGPU twin of the fused AdamW update (../adamw-fused.ts): the new first and second moments
 * and the new weight, as three elementwise passes (a program has one output; the moments are
 * re-read, not recomputed). Same formula; float32 throughout, so within a few ulp of the wasm
 * kernel, which rounds once on store.
 */

function update({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const { p, g, m, v } = inputs;
  const s = attrs as unknown as AdamWScalars;
  const n = sizeOf(p!);
  const has = m !== undefined && v !== undefined;
  // 1 - beta is computed here in double: in f32 on the GPU 1 - 0.999f is off by 1.3e-5 relative.
  const u = { n: 'i32', beta: 'f32', cbeta: 'f32', scale: 'f32' } as const;
  const moment = (key: string, prev: string, term: string, beta: number) =>
    runGpuProgram(
      backend,
      {
        key: `adamw_${key}_${has}`,
        inputs: has ? ['g', 'prev'] : ['g'],
        outSize: n,
        workgroups: groupsFor(n),
        workgroup: WG,
        uniforms: u,
        body: `
          if (index >= uniforms.n) { return; }
          let gi = g[index] * uniforms.scale;
          result[index] = ${has ? `${prev} * uniforms.beta + ` : ''}${term} * uniforms.cbeta;`,
      },
      has ? [g!, (key === 'm' ? m : v)!] : [g!],
      [n, beta, 1 - beta, s.gradScale],
      [...p!.shape],
    );
  const m1 = moment('m', 'prev[index]', 'gi', s.beta1);
  const v1 = moment('v', 'prev[index]', 'gi * gi', s.beta2);
  const p1 = runGpuProgram(
    backend,
    {
      key: 'adamw_p',
      inputs: ['p', 'm1', 'v1'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32', eps: 'f32', decay: 'f32', step: 'f32' },
      body: `
        if (index >= uniforms.n) { return; }
        let pi = p[index];
        result[index] = pi - pi * uniforms.decay - (m1[index] / (sqrt(v1[index]) + uniforms.eps)) * uniforms.step;`,
    },
    [p!, m1, v1],
    [n, s.eps, s.decayRate, s.stepSize],
    [...p!.shape],
  );
  return [p1, m1, v1];
}

/** Registers the update for 'webgpu' (idempotent). */
export function registerWebgpuAdamW(): string[] {
  registerWebgpuTwins([[FUSED_ADAMW, update]]);
  return [`${FUSED_ADAMW}:webgpu`];
}
