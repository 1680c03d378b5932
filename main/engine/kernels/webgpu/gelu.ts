import type { TensorInfo } from '@tensorflow/tfjs-core';
import { GELU, GELU_GRAD } from '#main/engine/kernels/gelu';
import { ERF_WGSL } from './matmul-program';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, sizeOf, WG } from './program';

/**
 * GELU (erf form) and its gradient as one elementwise program each, for 'webgpu' only (the
 * wasm/cpu path stays the tf-op form in ../gelu.ts): erf as tfjs' Erf kernels compute it.
 *   y = x/2 (1 + erf(x/sqrt 2)),  dx = dy (1/2 (1 + erf(x/sqrt 2)) + x exp(-x^2/2) / sqrt(2 pi))
 */

function forward({ inputs, backend }: GpuKernelArgs): TensorInfo {
  const x = inputs['x']!;
  const n = sizeOf(x);
  return runGpuProgram(
    backend,
    {
      key: 'gelu',
      inputs: ['x'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32' },
      prelude: ERF_WGSL,
      body: `
        if (index >= uniforms.n) { return; }
        result[index] = biomedGelu(x[index]);`,
    },
    [x],
    [n],
    [...x.shape],
  );
}

function backward({ inputs, backend }: GpuKernelArgs): TensorInfo {
  const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
  const n = sizeOf(x);
  return runGpuProgram(
    backend,
    {
      key: 'gelu_grad',
      inputs: ['dy', 'x'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32' },
      prelude: ERF_WGSL,
      body: `
        if (index >= uniforms.n) { return; }
        let v = x[index];
        let cdf = 0.5 * (1.0 + biomedErf(v * ${Math.SQRT1_2}));
        result[index] = dy[index] * (cdf + v * exp(-0.5 * v * v) * ${1 / Math.sqrt(2 * Math.PI)});`,
    },
    [dy, x],
    [n],
    [...x.shape],
  );
}

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuGelu(): string[] {
  registerWebgpuTwins([
    [GELU, forward],
    [GELU_GRAD, backward],
  ]);
  return [`${GELU}:webgpu`];
}
