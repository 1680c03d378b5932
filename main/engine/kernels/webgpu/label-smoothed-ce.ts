import type { TensorInfo } from '@tensorflow/tfjs-core';
import { LS_CE, LS_CE_GRAD } from '#main/engine/kernels/label-smoothed-ce';
import { type GpuKernelArgs, groupsFor, registerWebgpuTwins, runGpuProgram, WG } from './program';
import { rowHead, rowLanes, rowPrelude, treeSum } from './reduce';

/**
 * WebGPU twins of the fused label-smoothed cross-entropy kernels (../label-smoothed-ce.ts, same
 * arithmetic): one workgroup per target row computes max, log-sum-exp, the smoothing sum and the
 * allowed count in two passes over the vocabulary; the per-row loss and the saved softmax p are
 * elementwise; the backward pass is one workgroup per row (the allowed count, then dz).
 */

/** The masked logit of element k as WGSL (disallowed logits minus 1e9, as the array kernel). */
const masked = (allowed: boolean, k: string) =>
  allowed ? `select(z[${k}], z[${k}] - 1e9, al[${k}] == 0.0)` : `z[${k}]`;

function forward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const z = inputs['logits']!;
  const tgt = inputs['targets']!;
  const al = inputs['allowed'];
  const n = tgt.shape.reduce((m, s) => m * s, 1);
  const v = z.shape[z.shape.length - 1]!;
  const eps = attrs?.['eps'] as number;
  const pad = attrs?.['pad'] as number;
  const a = al !== undefined;
  const lanes = rowLanes(v);
  const zin = a ? [z, al] : [z];
  const names = a ? ['z', 'al'] : ['z'];
  // stats[4r..4r+4) = max, log(sum exp(x - max)), sum a (x - max), sum a
  const stats = runGpuProgram(
    backend,
    {
      key: `lsce_stats_${a}`,
      inputs: names,
      outSize: 4 * n,
      workgroups: n,
      workgroup: lanes,
      uniforms: { rows: 'i32', d: 'i32' },
      prelude: rowPrelude(lanes),
      body: `${rowHead(lanes)}
        var m = -3.402823e+38;
        for (var j = lane; j < d; j += ${lanes}) { m = max(m, ${masked(a, 'o + j')}); }
        buf[lane] = m;
        ${treeSum(['buf'], lanes, 'max')}
        let mx = buf[0];
        workgroupBarrier();
        var se = 0.0;
        var sa = 0.0;
        var cnt = 0.0;
        for (var j = lane; j < d; j += ${lanes}) {
          let xm = ${masked(a, 'o + j')} - mx;
          let aj = ${a ? 'al[o + j]' : '1.0'};
          se += exp(xm);
          sa += aj * xm;
          cnt += aj;
        }
        buf[lane] = se;
        buf2[lane] = sa;
        buf3[lane] = cnt;
        ${treeSum(['buf', 'buf2', 'buf3'], lanes)}
        if (lane == 0 && ok) {
          result[4 * row] = mx;
          result[4 * row + 1] = log(buf[0]);
          result[4 * row + 2] = buf2[0];
          result[4 * row + 3] = buf3[0];
        }`,
    },
    zin,
    [n, v],
    [4 * n],
  );
  const loss = runGpuProgram(
    backend,
    {
      key: `lsce_loss_${a}`,
      inputs: [...names, 'tgt', 'stats'],
      outSize: n,
      workgroups: groupsFor(n),
      workgroup: WG,
      uniforms: { n: 'i32', v: 'i32', eps: 'f32', pad: 'i32' },
      body: `
        if (index >= uniforms.n) { return; }
        let t = tgt[index];
        if (t == uniforms.pad) { result[index] = 0.0; return; }
        let mx = stats[4 * index];
        let ls = stats[4 * index + 1];
        let cnt = stats[4 * index + 3];
        let smoothSum = cnt * ls - stats[4 * index + 2];
        let nll = ls - (${masked(a, 'index * uniforms.v + t')} - mx);
        let eps = uniforms.eps;
        if (eps > 0.0) {
          let epsI = eps / max(cnt - 1.0, 1.0);
          result[index] = nll * (1.0 - eps) + epsI * (smoothSum - nll);
        } else {
          result[index] = nll;
        }`,
    },
    [...zin, tgt, stats],
    [n, v, eps, pad],
    [n],
  );
  const p = runGpuProgram(
    backend,
    {
      key: `lsce_p_${a}`,
      inputs: [...names, 'tgt', 'stats'],
      outSize: n * v,
      workgroups: groupsFor(n * v),
      workgroup: WG,
      uniforms: { size: 'i32', v: 'i32', pad: 'i32' },
      body: `
        if (index >= uniforms.size) { return; }
        let r = index / uniforms.v;
        if (tgt[r] == uniforms.pad) { result[index] = 0.0; return; }
        result[index] = exp(${masked(a, 'index')} - stats[4 * r] - stats[4 * r + 1]);`,
    },
    [...zin, tgt, stats],
    [n * v, v, pad],
    [...z.shape],
  );
  backend.disposeData(stats.dataId);
  return [loss, p];
}

function backward({ inputs, backend, attrs }: GpuKernelArgs): TensorInfo[] {
  const dy = inputs['dy']!;
  const p = inputs['p']!;
  const tgt = inputs['targets']!;
  const al = inputs['allowed'];
  const a = al !== undefined;
  const n = tgt.shape.reduce((m, s) => m * s, 1);
  const v = p.shape[p.shape.length - 1]!;
  const eps = attrs?.['eps'] as number;
  const pad = attrs?.['pad'] as number;
  const lanes = rowLanes(v);
  const dz = runGpuProgram(
    backend,
    {
      key: `lsce_dz_${a}`,
      inputs: ['dy', 'p', 'tgt', ...(a ? ['al'] : [])],
      outSize: n * v,
      workgroups: n,
      workgroup: lanes,
      uniforms: { rows: 'i32', d: 'i32', eps: 'f32', pad: 'i32' },
      prelude: rowPrelude(lanes),
      body: `${rowHead(lanes)}
        var cnt = f32(d);
        ${
          a
            ? `var c = 0.0;
        for (var j = lane; j < d; j += ${lanes}) { c += al[o + j]; }
        buf[lane] = c;
        ${treeSum(['buf'], lanes)}
        cnt = buf[0];`
            : ''
        }
        if (!ok) { return; }
        let t = tgt[row];
        if (t == uniforms.pad) {
          for (var j = lane; j < d; j += ${lanes}) { result[o + j] = 0.0; }
          return;
        }
        let eps = uniforms.eps;
        var epsI = 0.0;
        if (eps > 0.0) { epsI = eps / max(cnt - 1.0, 1.0); }
        let g = dy[row];
        let cNll = 1.0 - eps - epsI;
        for (var j = lane; j < d; j += ${lanes}) {
          let aj = ${a ? 'al[o + j]' : '1.0'};
          let pj = p[o + j];
          var dzj = g * (cNll * pj + epsI * (cnt * pj - aj));
          if (j == t) { dzj = dzj - g * cNll; }
          result[o + j] = dzj;
        }`,
    },
    a ? [dy, p, tgt, al] : [dy, p, tgt],
    [n, v, eps, pad],
    [...p.shape],
  );
  return [dz];
}

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuLabelSmoothedCE(): string[] {
  registerWebgpuTwins([
    [LS_CE, forward],
    [LS_CE_GRAD, backward],
  ]);
  return [`${LS_CE}:webgpu`];
}
