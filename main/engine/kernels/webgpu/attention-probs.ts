import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { ATTENTION_PROBS, ATTENTION_PROBS_GRAD, MAX_FUSED_HEAD } from '#main/engine/kernels/attention-probs';
import { runGpuProgram, type WebGpuLike } from './program';
import { rowHead, rowLanes, treeSum } from './reduce';

/**
 * WebGPU kernels of ../attention-probs.ts. One workgroup per query row (b, h, t): the row of q
 * goes to workgroup memory, each lane takes keys s = lane, lane + lanes, ... and writes
 * q·k_s + bias into the output row, then a max, the exponentials, a sum and the division by it
 * (times the dropout multiplier) in place: one dispatch for what the tf ops do in four (matmul,
 * add, softmax, multiply). The gradient program recomputes the same row (same code, so the same
 * softmax bit for bit) and writes d(scores) = y * (dy - sum(dy * y)), dy = dp * mult: one
 * dispatch instead of five, and the softmax is not kept between forward and backward. The
 * matrix products for dq, dk and P·V stay on BatchMatMul.
 */

interface Args {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WebGpuLike;
  attrs?: Record<string, unknown>;
}

const U = {
  rows: 'i32',
  d: 'i32',
  hd: 'i32',
  t: 'i32',
  h: 'i32',
  sb: 'i32',
  sh: 'i32',
  st: 'i32',
  ss: 'i32',
} as const;

/** WGSL: the softmax of the row into `result[o + j]` (row length d = S), unscaled by dropout. */
const softmaxRow = (lanes: number) => `
  ${rowHead(lanes)}
  let hd = uniforms.hd;
  let r = min(row, uniforms.rows - 1);
  for (var c = lane; c < hd; c += ${lanes}) { qrow[c] = q[r * hd + c]; }
  workgroupBarrier();
  let bh = r / uniforms.t;
  let tt = r - bh * uniforms.t;
  let bb = bh / uniforms.h;
  let hh = bh - bb * uniforms.h;
  let ko = bh * d * hd;
  let bo = bb * uniforms.sb + hh * uniforms.sh + tt * uniforms.st;
  var mx = -3.4e38;
  for (var j = lane; j < d; j += ${lanes}) {
    var acc = 0.0;
    for (var c = 0; c < hd; c++) { acc += qrow[c] * k[ko + j * hd + c]; }
    let z = acc + bias[bo + j * uniforms.ss];
    if (ok) { result[o + j] = z; }
    mx = max(mx, z);
  }
  buf[lane] = mx;
  ${treeSum(['buf'], lanes, 'max')}
  let m = buf[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = lane; j < d; j += ${lanes}) {
    if (ok) {
      let e = exp(result[o + j] - m);
      result[o + j] = e;
      sum += e;
    }
  }
  buf[lane] = sum;
  ${treeSum(['buf'], lanes)}
  let total = buf[0];
  workgroupBarrier();`;

const prelude = (lanes: number) => `
  var<workgroup> buf : array<f32, ${lanes}>;
  var<workgroup> qrow : array<f32, ${MAX_FUSED_HEAD}>;`;

/**
 * One workgroup per query row over q, k, bias, the multiplier where given, and `extra` inputs;
 * `tail(lanes, mult)` is the WGSL after the row's softmax numerators are in place.
 */
function rowProgram(
  { inputs, backend, attrs }: Args,
  key: string,
  extra: readonly string[],
  tail: (lanes: number, mult: boolean) => string,
): TensorInfo {
  const q = inputs['q']!;
  const k = inputs['k']!;
  const [b, h, t, hd] = q.shape as [number, number, number, number];
  const s = k.shape[2]!;
  const [sb, sh, st, ss] = (attrs?.['biasStrides'] ?? [0, 0, 0, 0]) as number[];
  const rows = b * h * t;
  const mult = inputs['mult'];
  const names = ['q', 'k', 'bias', ...(mult ? ['mult'] : []), ...extra];
  const lanes = rowLanes(s);
  return runGpuProgram(
    backend,
    {
      key: `attn_${key}_${lanes}_${mult !== undefined}`,
      inputs: names,
      outSize: rows * s,
      workgroups: rows,
      workgroup: lanes,
      uniforms: U,
      prelude: prelude(lanes),
      body: `${softmaxRow(lanes)}${tail(lanes, mult !== undefined)}`,
    },
    names.map((n) => inputs[n]!),
    [rows, s, hd, t, h, sb!, sh!, st!, ss!],
    [b, h, t, s],
  );
}

/** softmax(q kᵀ + bias) * mult. */
const probs = (args: Args): TensorInfo =>
  rowProgram(
    args,
    'probs',
    [],
    (lanes, mult) => `
      for (var j = lane; j < d; j += ${lanes}) {
        if (ok) { result[o + j] = result[o + j] / total${mult ? ' * mult[o + j]' : ''}; }
      }`,
  );

/** d(scores) = y * (dy - sum(dy * y)), dy = dp * mult. */
const probsGrad = (args: Args): TensorInfo =>
  rowProgram(args, 'probs_grad', ['dp'], (lanes, mult) => {
    const dy = mult ? 'dp[o + j] * mult[o + j]' : 'dp[o + j]';
    return `
      var dot = 0.0;
      for (var j = lane; j < d; j += ${lanes}) {
        if (ok) {
          let y = result[o + j] / total;
          result[o + j] = y;
          dot += (${dy}) * y;
        }
      }
      buf[lane] = dot;
      ${treeSum(['buf'], lanes)}
      let c = buf[0];
      for (var j = lane; j < d; j += ${lanes}) {
        if (ok) { result[o + j] = result[o + j] * ((${dy}) - c); }
      }`;
  });

/** Registers both kernels for 'webgpu' (idempotent). */
export function registerWebgpuAttentionProbs(): string[] {
  for (const [kernelName, fn] of [
    [ATTENTION_PROBS, probs],
    [ATTENTION_PROBS_GRAD, probsGrad],
  ] as const) {
    if (!tf.getKernel(kernelName, 'webgpu')) {
      tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: fn as unknown as KernelFunc });
    }
  }
  return [`${ATTENTION_PROBS}:webgpu`];
}
