import type { TensorInfo } from '@tensorflow/tfjs-core';
import { RESIDUAL_LAYER_NORM, RESIDUAL_LAYER_NORM_GRAD } from '#main/engine/kernels/residual-layer-norm';
import { layerNormDxBody } from './layer-norm';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, sizeOf, WG } from './program';
import { columnSums, rowHead, rowLanes, rowPrelude, treeSum } from './reduce';

/**
 * WebGPU twins of the residual + LayerNorm kernels (same inputs, outputs and formulas as
 * ../residual-layer-norm.ts). Forward: the sum elementwise, (mean, rstd) one workgroup per row,
 * y elementwise: 3 programs where add + LayerNorm took 4. Backward: dx = ds + LN'(dy) one
 * workgroup per row, dgamma and dbeta as two-pass column sums: 5 programs where LayerNorm's
 * backward and the accumulation of the sum's two gradients took 6.
 */

function forward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const { x, r, gamma, beta } = inputs as Record<string, TensorInfo>;
  const d = gamma!.shape[0]!;
  const n = sizeOf(x!);
  const rows = n / d;
  const eps = attrs?.['eps'] as number;
  const lanes = rowLanes(d);
  const s = runGpuProgram(
    backend,
    {
      key: 'rln_sum',
      inputs: ['x', 'r'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32' },
      body: `
        if (index >= uniforms.n) { return; }
        result[index] = x[index] + r[index];`,
    },
    [x!, r!],
    [n],
    [...x!.shape],
  );
  const stats = runGpuProgram(
    backend,
    {
      key: 'rln_stats',
      inputs: ['s'],
      outSize: 2 * rows,
      workgroups: rows,
      workgroup: lanes,
      uniforms: { rows: 'i32', d: 'i32', eps: 'f32' },
      prelude: rowPrelude(lanes),
      body: `${rowHead(lanes)}
        var t = 0.0;
        for (var j = lane; j < d; j += ${lanes}) { t += s[o + j]; }
        buf[lane] = t;
        ${treeSum(['buf'], lanes)}
        let mu = buf[0] / f32(d);
        var v = 0.0;
        for (var j = lane; j < d; j += ${lanes}) { let c = s[o + j] - mu; v += c * c; }
        buf2[lane] = v;
        ${treeSum(['buf2'], lanes)}
        if (lane == 0 && ok) {
          result[2 * row] = mu;
          result[2 * row + 1] = 1.0 / sqrt(buf2[0] / f32(d) + uniforms.eps);
        }`,
    },
    [s],
    [rows, d, eps],
    [rows, 2],
  );
  const y = runGpuProgram(
    backend,
    {
      key: 'rln_y',
      inputs: ['s', 'stats', 'gamma', 'beta'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32', d: 'i32' },
      body: `
        if (index >= uniforms.n) { return; }
        let k = index / uniforms.d;
        let j = index - k * uniforms.d;
        result[index] = (s[index] - stats[2 * k]) * stats[2 * k + 1] * gamma[j] + beta[j];`,
    },
    [s, stats, gamma!, beta!],
    [n, d],
    [...x!.shape],
  );
  return [s, y, stats];
}

function backward({ inputs, backend }: GpuKernelArgs): TensorInfo[] {
  const { ds, dy, s, stats, gamma } = inputs as Record<string, TensorInfo>;
  const d = gamma!.shape[0]!;
  const rows = sizeOf(s!) / d;
  const lanes = rowLanes(d);
  const dx = runGpuProgram(
    backend,
    {
      key: 'rln_dx',
      inputs: ['ds', 'dy', 's', 'stats', 'gamma'],
      outSize: rows * d,
      workgroups: rows,
      workgroup: lanes,
      uniforms: { rows: 'i32', d: 'i32' },
      prelude: rowPrelude(lanes),
      body: layerNormDxBody(lanes, 's', 'stats[2 * rr]', 'stats[2 * rr + 1]', 'ds[o + j] + '),
    },
    [ds!, dy!, s!, stats!, gamma!],
    [rows, d],
    [...s!.shape],
  );
  const dgamma = columnSums(
    backend,
    'rln_dgamma',
    [
      ['dy', dy!],
      ['s', s!],
      ['stats', stats!],
    ],
    'dy[k] * (s[k] - stats[2 * r]) * stats[2 * r + 1]',
    rows,
    d,
  );
  const dbeta = columnSums(backend, 'ln_dbeta', [['dy', dy!]], 'dy[k]', rows, d);
  return [dx, dgamma, dbeta];
}

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuResidualLayerNorm(): string[] {
  registerWebgpuTwins([
    [RESIDUAL_LAYER_NORM, forward],
    [RESIDUAL_LAYER_NORM_GRAD, backward],
  ]);
  return [`${RESIDUAL_LAYER_NORM}:webgpu`];
}
