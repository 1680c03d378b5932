import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LAYER_NORM, LAYER_NORM_GRAD } from '#main/engine/kernels/layer-norm';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, sizeOf, WG } from './program';
import { columnSums, rowHead, rowLanes, rowPrelude, treeSum } from './reduce';

/**
 * WebGPU twins of the fused LayerNorm kernels (same inputs, outputs and formulas as
 * ../layer-norm.ts): statistics one workgroup per row, y and dx elementwise or per row, dgamma
 * and dbeta as two-pass column sums.
 */

function forward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  const d = gamma.shape[0]!;
  const rows = sizeOf(x) / d;
  const eps = attrs?.['eps'] as number;
  const lanes = rowLanes(d);
  const u = { rows: 'i32', d: 'i32', eps: 'f32' } as const;
  const mean = runGpuProgram(
    backend,
    {
      key: 'ln_mean',
      inputs: ['x'],
      outSize: rows,
      workgroups: rows,
      workgroup: lanes,
      uniforms: u,
      prelude: rowPrelude(lanes),
      body: `${rowHead(lanes)}
        var s = 0.0;
        for (var j = lane; j < d; j += ${lanes}) { s += x[o + j]; }
        buf[lane] = s;
        ${treeSum(['buf'], lanes)}
        if (lane == 0 && ok) { result[row] = buf[0] / f32(d); }`,
    },
    [x],
    [rows, d, eps],
    [rows],
  );
  const rstd = runGpuProgram(
    backend,
    {
      key: 'ln_rstd',
      inputs: ['x', 'mean'],
      outSize: rows,
      workgroups: rows,
      workgroup: lanes,
      uniforms: u,
      prelude: rowPrelude(lanes),
      body: `${rowHead(lanes)}
        let mu = mean[min(row, uniforms.rows - 1)];
        var s = 0.0;
        for (var j = lane; j < d; j += ${lanes}) { let c = x[o + j] - mu; s += c * c; }
        buf[lane] = s;
        ${treeSum(['buf'], lanes)}
        if (lane == 0 && ok) { result[row] = 1.0 / sqrt(buf[0] / f32(d) + uniforms.eps); }`,
    },
    [x, mean],
    [rows, d, eps],
    [rows],
  );
  const y = runGpuProgram(
    backend,
    {
      key: 'ln_y',
      inputs: ['x', 'mean', 'rstd', 'gamma', 'beta'],
      outSize: rows * d,
      workgroups: groupsFor(rows * d),
      workgroup: WG,
      uniforms: { n: 'i32', d: 'i32' },
      body: `
        if (index >= uniforms.n) { return; }
        let r = index / uniforms.d;
        let j = index - r * uniforms.d;
        result[index] = (x[index] - mean[r]) * rstd[r] * gamma[j] + beta[j];`,
    },
    [x, mean, rstd, gamma, beta],
    [rows * d, d],
    [...x.shape],
  );
  return [y, mean, rstd];
}

function backward({ inputs, backend }: GpuKernelArgs): TensorInfo[] {
  const { dy, x, mean, rstd, gamma } = inputs as Record<string, TensorInfo>;
  const d = gamma!.shape[0]!;
  const rows = sizeOf(x!) / d;
  const lanes = rowLanes(d);
  const dx = runGpuProgram(
    backend,
    {
      key: 'ln_dx',
      inputs: ['dy', 'x', 'mean', 'rstd', 'gamma'],
      outSize: rows * d,
      workgroups: rows,
      workgroup: lanes,
      uniforms: { rows: 'i32', d: 'i32' },
      prelude: rowPrelude(lanes),
      body: layerNormDxBody(lanes, 'x', 'mean[rr]', 'rstd[rr]', ''),
    },
    [dy!, x!, mean!, rstd!, gamma!],
    [rows, d],
    [...x!.shape],
  );
  const dgamma = columnSums(
    backend,
    'ln_dgamma',
    [
      ['dy', dy!],
      ['x', x!],
      ['mean', mean!],
      ['rstd', rstd!],
    ],
    'dy[k] * (x[k] - mean[r]) * rstd[r]',
    rows,
    d,
  );
  const dbeta = columnSums(backend, 'ln_dbeta', [['dy', dy!]], 'dy[k]', rows, d);
  return [dx, dgamma, dbeta];
}

/**
 * WGSL body of LayerNorm's dx, one workgroup of `lanes` per row over `xn` (the normalised input),
 * with the row's mean and rstd read by the WGSL expressions `mu` and `rs` of `rr` (the row), and
 * `plus` (WGSL of `o + j`, or '') added to each element: rstd * (g - mean(g) - xhat mean(g xhat)).
 */
export function layerNormDxBody(lanes: number, xn: string, mu: string, rs: string, plus: string): string {
  return `${rowHead(lanes)}
        let rr = min(row, uniforms.rows - 1);
        let mu = ${mu};
        let rs = ${rs};
        var sg = 0.0;
        var sgx = 0.0;
        for (var j = lane; j < d; j += ${lanes}) {
          let g = dy[o + j] * gamma[j];
          sg += g;
          sgx += g * (${xn}[o + j] - mu) * rs;
        }
        buf[lane] = sg;
        buf2[lane] = sgx;
        ${treeSum(['buf', 'buf2'], lanes)}
        let mg = buf[0] / f32(d);
        let mgx = buf2[0] / f32(d);
        if (ok) {
          for (var j = lane; j < d; j += ${lanes}) {
            let xh = (${xn}[o + j] - mu) * rs;
            result[o + j] = ${plus}rs * (dy[o + j] * gamma[j] - mg - xh * mgx);
          }
        }`;
}

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuLayerNorm(): string[] {
  registerWebgpuTwins([
    [LAYER_NORM, forward],
    [LAYER_NORM_GRAD, backward],
  ]);
  return [`${LAYER_NORM}:webgpu`];
}
