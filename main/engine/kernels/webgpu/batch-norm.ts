import type { TensorInfo } from '@tensorflow/tfjs-core';
import { BATCH_NORM, BATCH_NORM_GRAD } from '#main/engine/kernels/batch-norm';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, sizeOf, WG } from './program';
import { columnSums } from './reduce';

/**
 * WebGPU twins of the fused training BatchNorm kernels (../batch-norm.ts): per-channel statistics
 * over the N*H*W rows as two-pass column sums (mean first, then the centred squares, as the
 * array kernel does), y and dx elementwise.
 */

function forward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const c = gamma.shape[0]!;
  const rows = sizeOf(x) / c;
  const eps = attrs?.['eps'] as number;
  const mean = columnSums(backend, 'bn_mean', [['x', x]], 'x[k]', rows, c, 1 / rows);
  const variance = columnSums(
    backend,
    'bn_var',
    [
      ['x', x],
      ['mean', mean],
    ],
    '(x[k] - mean[j]) * (x[k] - mean[j])',
    rows,
    c,
    1 / rows,
  );
  const y = runGpuProgram(
    backend,
    {
      key: 'bn_y',
      inputs: ['x', 'mean', 'variance', 'gamma', 'beta'],
      outSize: rows * c,
      workgroups: groupsFor(rows * c),
      workgroup: WG,
      uniforms: { n: 'i32', c: 'i32', eps: 'f32' },
      body: `
        if (index >= uniforms.n) { return; }
        let j = index % uniforms.c;
        let rs = 1.0 / sqrt(variance[j] + uniforms.eps);
        result[index] = (x[index] - mean[j]) * rs * gamma[j] + beta[j];`,
    },
    [x, mean, variance, gamma, beta],
    [rows * c, c, eps],
    [...x.shape],
  );
  return [y, mean, variance];
}

function backward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const { dy, x, mean, variance, gamma } = inputs as Record<string, TensorInfo>;
  const c = gamma!.shape[0]!;
  const rows = sizeOf(x!) / c;
  const eps = attrs?.['eps'] as number;
  const sdy = columnSums(backend, 'bn_sdy', [['dy', dy!]], 'dy[k]', rows, c);
  const sdyx = columnSums(
    backend,
    `bn_sdyx_${eps}`,
    [
      ['dy', dy!],
      ['x', x!],
      ['mean', mean!],
      ['variance', variance!],
    ],
    `dy[k] * (x[k] - mean[j]) / sqrt(variance[j] + ${eps.toExponential()})`,
    rows,
    c,
  );
  const dx = runGpuProgram(
    backend,
    {
      key: 'bn_dx',
      inputs: ['dy', 'x', 'mean', 'variance', 'gamma', 'sdy', 'sdyx'],
      outSize: rows * c,
      workgroups: groupsFor(rows * c),
      workgroup: WG,
      uniforms: { n: 'i32', c: 'i32', eps: 'f32', rows: 'f32' },
      body: `
        if (index >= uniforms.n) { return; }
        let j = index % uniforms.c;
        let rs = 1.0 / sqrt(variance[j] + uniforms.eps);
        let xh = (x[index] - mean[j]) * rs;
        result[index] = gamma[j] * rs * (dy[index] - sdy[j] / uniforms.rows - xh * sdyx[j] / uniforms.rows);`,
    },
    [dy!, x!, mean!, variance!, gamma!, sdy, sdyx],
    [rows * c, c, eps, rows],
    [...x!.shape],
  );
  return [dx, sdyx, sdy];
}

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuBatchNorm(): string[] {
  registerWebgpuTwins([
    [BATCH_NORM, forward],
    [BATCH_NORM_GRAD, backward],
  ]);
  return [`${BATCH_NORM}:webgpu`];
}
