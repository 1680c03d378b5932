import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { PAD } from '#main/engine/tokenizer/vocab';
import { type ArrayKernelArgs, runArrayKernel } from './array-kernel';
import { cpuGemm } from './cpu-gemm';
import { hasEngineKernel } from './own-kernels';
import { wasmOps } from './wasm-ops';
import type { WasmBackendLike } from './wasm-views';

/**
 * fairseq/OFA label-smoothed cross-entropy over a vocabulary as one forward and one backward
 * kernel, the same arithmetic as main/engine/train/loss.ts: with `allowed`, disallowed logits are
 * masked out and eps_i = eps / max(allowed - 1, 1) spreads the smoothing over the allowed tokens;
 *   loss_row = (1 - eps) nll + eps_i (smooth - nll),  summed over rows whose target is not <pad>.
 * The tf-op version keeps ~8 tensors of [rows, V] for the backward pass (V = 59,457 for the
 * published checkpoints); this keeps one, the softmax p (one exp per element, none backward):
 *   dz_j = dy * ((1 - eps - eps_i)(p_j - [j = t]) + eps_i (A p_j - a_j)),  A = sum_j a_j.
 */

export const LS_CE = 'BiomedLabelSmoothedCE';
export const LS_CE_GRAD = 'BiomedLabelSmoothedCEGrad';

type F32 = Float32Array;

interface Row {
  readonly epsI: number;
  readonly count: number;
  readonly loss: number;
}

function row(
  z: F32,
  o: number,
  v: number,
  t: number,
  eps: number,
  allowed: F32 | undefined,
  p: F32,
  po: number,
): Row {
  let max = -Infinity;
  for (let j = 0; j < v; j++) {
    const x = allowed && allowed[o + j] === 0 ? z[o + j]! - 1e9 : z[o + j]!;
    if (x > max) max = x;
  }
  // One exp per element: p holds exp(x - max) first, then the probabilities.
  let sum = 0;
  let smoothRaw = 0; // sum_j a_j (x_j - max)
  let count = 0;
  for (let j = 0; j < v; j++) {
    const a = allowed ? allowed[o + j]! : 1;
    const x = (a === 0 && allowed ? z[o + j]! - 1e9 : z[o + j]!) - max;
    const e = Math.exp(x);
    p[po + j] = e;
    sum += e;
    smoothRaw += a * x;
    count += a;
  }
  const inv = 1 / sum;
  for (let j = 0; j < v; j++) p[po + j] = p[po + j]! * inv;
  const xt = (allowed && allowed[o + t] === 0 ? z[o + t]! - 1e9 : z[o + t]!) - max;
  return rowLoss(sum, smoothRaw, count, xt, eps);
}

/**
 * A row's loss from sum_j e_j, sum_j a_j x_j, A = sum_j a_j and x_t (x = masked logit - max,
 * e = exp(x)); the wasm kernel's row statistics meet the JS loop's here.
 */
function rowLoss(sum: number, smoothRaw: number, count: number, xt: number, eps: number): Row {
  const logSum = Math.log(sum);
  const smooth = count * logSum - smoothRaw; // -sum_j a_j (x_j - max - logSum)
  const nll = logSum - xt;
  const epsI = eps > 0 ? eps / Math.max(count - 1, 1) : 0;
  const loss = eps > 0 ? nll * (1 - eps) + epsI * (smooth - nll) : nll;
  return { epsI, count, loss };
}

/** Per-row loss (0 for <pad> targets) and the softmax `p` kept for the backward pass. */
export function lsceForward(
  z: F32,
  targets: Int32Array,
  allowed: F32 | undefined,
  eps: number,
  pad: number,
  out: F32,
  p: F32,
): void {
  const n = targets.length;
  const v = z.length / n;
  for (let r = 0; r < n; r++) {
    const t = targets[r]!;
    if (t === pad) {
      out[r] = 0;
      p.fill(0, r * v, (r + 1) * v);
    } else {
      out[r] = row(z, r * v, v, t, eps, allowed, p, r * v).loss;
    }
  }
}

/** dz from the saved softmax and upstream per-row gradients `dy` (no exp). */
export function lsceBackward(
  dy: F32,
  p: F32,
  targets: Int32Array,
  allowed: F32 | undefined,
  eps: number,
  pad: number,
  dz: F32,
): void {
  const n = targets.length;
  const v = p.length / n;
  for (let r = 0; r < n; r++) {
    const o = r * v;
    const t = targets[r]!;
    if (t === pad) {
      dz.fill(0, o, o + v);
      continue;
    }
    let count = v;
    if (allowed) {
      count = 0;
      for (let j = 0; j < v; j++) count += allowed[o + j]!;
    }
    const epsI = eps > 0 ? eps / Math.max(count - 1, 1) : 0;
    const g = dy[r]!;
    const cNll = 1 - eps - epsI;
    for (let j = 0; j < v; j++) {
      const a = allowed ? allowed[o + j]! : 1;
      const pj = p[o + j]!;
      dz[o + j] = g * (cNll * pj + epsI * (count * pj - a));
    }
    dz[o + t] = dz[o + t]! - g * cNll;
  }
}

type Args = ArrayKernelArgs;
type In = F32 | Int32Array | undefined;

/** Runs an array kernel on the named inputs (absent optional inputs arrive as undefined). */
const run = (args: Args, names: string[], shapes: number[][], fn: (ins: In[], outs: F32[]) => void) =>
  runArrayKernel<In>(
    args,
    names.map((n) => args.inputs[n]),
    shapes,
    fn,
  );

const attr = (args: Args, k: string) => args.attrs?.[k] as number;

/**
 * The native addon's rows (native/src/lsce.c: ops.c's kernels bit for bit, AVX2 lanes, split over
 * the threads), where the native GEMM runs; else the wasm kernels of wasm-ops.
 */
const nativeLsce = (args: Args) => cpuGemm(args.backend as unknown as WasmBackendLike)?.rowOps?.lsce;

function forwardKernel(args: Args): TensorInfo[] {
  const logits = args.inputs['logits']!;
  const n = args.inputs['targets']!.shape.reduce((m, x) => m * x, 1);
  const ops = wasmOps(args.backend);
  if (ops) {
    // wasm: the row passes in ops.c (wasm-ops.ts), the logarithms here
    const { targets, allowed } = args.inputs;
    const [eps, pad, v] = [attr(args, 'eps'), attr(args, 'pad'), logits.shape.at(-1)!];
    const native = nativeLsce(args);
    return ops.run(
      [logits, targets, allowed],
      [[n], logits.shape],
      ([z, t, a], [out, p], stats) => {
        if (native) {
          const allow = allowed ? a! : -1;
          native({ z: z!, dy: -1, p: -1, targets: t!, allowed: allow, out: p!, stats, rows: n, v, pad, eps });
        } else {
          ops.ex.bw_lsce_forward(z!, t!, a!, pad, p!, stats, n, v);
        }
        const [st, loss, tv] = [ops.f64(stats, 4 * n), ops.f32(out!, n), ops.i32(t!, n)];
        for (let r = 0; r < n; r++) {
          const [sum, smoothRaw, count, xt] = st.subarray(4 * r, 4 * r + 4);
          loss[r] = tv[r] === pad ? 0 : rowLoss(sum!, smoothRaw!, count!, xt!, eps).loss;
        }
      },
      32 * n,
    );
  }
  return run(args, ['logits', 'targets', 'allowed'], [[n], [...logits.shape]], ([z, t, a], [out, p]) =>
    lsceForward(
      z as F32,
      t as Int32Array,
      a as F32 | undefined,
      attr(args, 'eps'),
      attr(args, 'pad'),
      out!,
      p!,
    ),
  );
}

function gradKernel(args: Args): TensorInfo[] {
  const ops = wasmOps(args.backend);
  if (ops) {
    const { dy, p, targets } = args.inputs;
    const [n, v] = [targets!.shape.reduce((m, x) => m * x, 1), p!.shape.at(-1)!];
    const [eps, pad] = [attr(args, 'eps'), attr(args, 'pad')];
    const [allowed, native] = [args.inputs['allowed'], nativeLsce(args)];
    return ops.run([dy, p, targets, allowed], [p!.shape], ([d, pp, t, a], [dz]) => {
      if (!native) return ops.ex.bw_lsce_backward(d!, pp!, t!, a!, eps, pad, dz!, n, v);
      const allow = allowed ? a! : -1;
      native({
        z: -1,
        dy: d!,
        p: pp!,
        targets: t!,
        allowed: allow,
        out: dz!,
        stats: -1,
        rows: n,
        v,
        pad,
        eps,
      });
    });
  }
  return run(args, ['dy', 'p', 'targets', 'allowed'], [[...args.inputs['p']!.shape]], ([d, p, t, a], [out]) =>
    lsceBackward(
      d as F32,
      p as F32,
      t as Int32Array,
      a as F32 | undefined,
      attr(args, 'eps'),
      attr(args, 'pad'),
      out!,
    ),
  );
}

/** Registers both kernels for 'wasm' and 'cpu' (idempotent). */
export function registerLabelSmoothedCE(): string[] {
  const out: string[] = [];
  for (const backendName of ['wasm', 'cpu']) {
    for (const [kernelName, fn] of [
      [LS_CE, forwardKernel],
      [LS_CE_GRAD, gradKernel],
    ] as const) {
      if (!tf.getKernel(kernelName, backendName)) {
        tf.registerKernel({ kernelName, backendName, kernelFunc: fn as unknown as KernelFunc });
      }
    }
    out.push(`${LS_CE}:${backendName}`);
  }
  return out;
}

/**
 * Sum over non-pad targets of the label-smoothed cross-entropy (see the file comment). Returns
 * undefined where the kernels are not registered (the caller keeps its tf-op version).
 * @param logits  [..., V]
 * @param targets [...] int32
 * @param allowed [..., V] float 0/1, optional
 */
export function labelSmoothedCE(
  logits: tf.Tensor,
  targets: tf.Tensor,
  epsilon: number,
  allowed?: tf.Tensor,
  padId = PAD,
): tf.Scalar | undefined {
  if (!hasEngineKernel(LS_CE)) return undefined;
  const engine = tf.engine();
  const attrs = { eps: epsilon, pad: padId };
  const t = tf.cast(targets, 'int32');
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const z = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const [rows, p] = engine.runKernel(
      LS_CE,
      { logits: z, targets: t, ...(allowed ? { allowed } : {}) },
      attrs,
    ) as unknown as tf.Tensor[];
    save(allowed ? [p!, t, allowed] : [p!, t]);
    return {
      value: tf.sum(rows!) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp, st, sa] = saved as [tf.Tensor, tf.Tensor, tf.Tensor | undefined];
        const dRows = tf.broadcastTo(tf.reshape(dy, [1]), [st.size]); // d sum / d row = dy
        const [dz] = engine.runKernel(
          LS_CE_GRAD,
          { dy: dRows, p: sp, targets: st, ...(sa ? { allowed: sa } : {}) },
          attrs,
        ) as unknown as tf.Tensor[];
        dRows.dispose();
        return [dz!];
      },
    };
  });
  return f(logits) as tf.Scalar;
}
