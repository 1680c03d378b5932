import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuGemm } from './cpu-gemm';
import { stockWasmKernel } from './wasm-transpose-first';
import { type WasmBackendLike, WasmViews } from './wasm-views';

/**
 * Below this many multiply-adds per batch slice, one XNNPACK call per slice (operator creation,
 * weight packing) costs more than the stock kernel's scalar loop over the whole batch: decoding
 * one token multiplies [B*H, 1, hd] by [B*H, hd, L] every layer and step.
 */
const SMALL_SLICE_MACS = 8192;

/**
 * Faster wasm BatchMatMul. The stock kernel (tfjs 4.22) reaches XNNPACK only when neither input
 * is transposed AND both batch sizes are 1; everything else (the backward pass, attention's
 * [B*H, S, S] products, [B, S, D] x [D, F] projections) runs a scalar triple loop at ~1-2 GFLOP/s.
 *
 * This kernel:
 * 1. transposes flagged inputs physically first (wasm Transpose kernel), or computes C^T and
 *    transposes that when it moves fewer floats;
 * 2. folds a batch into rows when b is shared across the batch: [B, M, K] x [1, K, N] is one
 *    [1, B*M, K] x [1, K, N] product;
 * 3. otherwise runs one XNNPACK product per batch slice, on zero-copy views of the inputs.
 * On the single-threaded build the products run on the engine's own GEMM (cpu-gemm.ts: the native
 * addon where built, reading both transposes in place; else wasm-gemm.ts: FMA
 * where V8 allows relaxed SIMD, 1.8-3.6x XNNPACK on the train step's shapes), which also packs
 * a transposed b in place (no transpose pass); BIOMED_WASM_GEMM=simd rounds exactly as XNNPACK, =xnnpack turns it off.
 * Results equal the stock kernel to float rounding (XNNPACK sums in a different order than the
 * scalar loop), and bit for bit where the stock kernel already used XNNPACK (with the GEMM kinds
 * simd and xnnpack; fma rounds once per multiply-add instead of twice).
 */

type CBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

interface MatMulArgs {
  inputs: { a?: TensorInfo; b?: TensorInfo };
  backend: WasmBackendLike;
  attrs?: NamedAttrMap;
}

const bound = new WeakMap<object, CBatchMatMul>();

function cBatchMatMul(backend: WasmBackendLike): CBatchMatMul {
  let fn = bound.get(backend.wasm);
  if (!fn) {
    const args = ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number'];
    fn = backend.wasm.cwrap('BatchMatMul', null, args) as unknown as CBatchMatMul;
    bound.set(backend.wasm, fn);
  }
  return fn;
}

function shapeBytes(shape: readonly number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function transposeLastTwo(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('wasm Transpose kernel is not registered');
  const perm = x.shape.map((_, i) => i);
  perm[perm.length - 2] = perm.length - 1;
  perm[perm.length - 1] = perm.length - 2;
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } } as never) as TensorInfo;
}

const prod = (xs: readonly number[]) => xs.reduce((p, x) => p * x, 1);

/** out[i] = a[i] x b[i] for plain row-major a [batchA, M, K], b [batchB, K, N] (batch 1 broadcasts):
 * the engine's GEMM where available, else XNNPACK. */
function multiply(
  backend: WasmBackendLike,
  a: TensorInfo,
  b: TensorInfo,
  batchA: number,
  batchB: number,
  m: number,
  k: number,
  n: number,
  out: TensorInfo,
): void {
  const views = new WasmViews(backend);
  const aOff = views.offsetOf(a);
  const bOff = views.offsetOf(b);
  const oOff = views.offsetOf(out);
  const gemm = cpuGemm(backend);
  if (gemm) {
    gemm.multiply({ a: aOff, b: bOff, out: oOff, batchA, batchB, m, k, n, transposeB: false });
    return;
  }
  const run = cBatchMatMul(backend);
  try {
    if (batchB === 1) {
      // [batchA * M, K] x [K, N]: one product with the batch folded into rows. Whole tensors keep
      // their own ids, so XNNPACK's packed-weights cache (keyed on b's id) still applies.
      const id = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).id;
      const rows = batchA * m;
      run(id(a), shapeBytes([1, rows, k]), 3, id(b), shapeBytes([1, k, n]), 3, false, false, id(out));
      return;
    }
    const batch = Math.max(batchA, batchB);
    const aShape = shapeBytes([1, m, k]);
    const bShape = shapeBytes([1, k, n]);
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? 0 : i;
      run(
        views.view(aOff, ai * m * k, m * k),
        aShape,
        3,
        views.view(bOff, i * k * n, k * n),
        bShape,
        3,
        false,
        false,
        views.view(oOff, i * m * n, m * n),
      );
    }
  } finally {
    views.release();
  }
}

function batchMatMul(args: MatMulArgs): TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs;
  if (!a || !b) throw new Error('BatchMatMul needs inputs a and b');
  if (a.dtype !== 'float32' || b.dtype !== 'float32') throw new Error('BatchMatMul: float32 only');
  const attrs = args.attrs ?? {};
  const transposeA = attrs['transposeA'] === true;
  const transposeB = attrs['transposeB'] === true;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const k = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const kb = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  if (k !== kb)
    throw new Error(`matMul: inner dimensions ${k} and ${kb} of ${a.shape} and ${b.shape} differ`);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outOuter = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  const batchA = prod(outerA);
  const batchB = prod(outerB);
  const batch = Math.max(batchA, batchB);
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) {
    throw new Error(`matMul: batch shapes ${outerA} and ${outerB} only broadcast from size 1`);
  }
  const gemm = cpuGemm(backend);
  // Only equal batches: the stock scalar loop reads batch count from a and does not broadcast.
  // (The native GEMM takes a whole batch in one call: no per-slice cost to avoid.)
  if (!gemm?.batched && batch > 1 && batchA === batchB && m * n * k < SMALL_SLICE_MACS) {
    const stock = stockWasmKernel(tf.BatchMatMul);
    if (stock && stock.kernelFunc !== (batchMatMul as unknown))
      return stock.kernelFunc(args as never) as TensorInfo;
  }
  const out = backend.makeOutput([...outOuter, m, n], 'float32');
  if (m * n === 0) return out;
  if (k === 0) {
    const offset = backend.dataIdMap.get(out.dataId).memoryOffset;
    backend.wasm.HEAPU8.fill(0, offset, offset + 4 * batch * m * n);
    return out;
  }
  if (gemm && (!transposeA || gemm.readsTransposedA)) {
    // The engine's own GEMMs pack a transposed b in place, faster than a transpose pass; the
    // native one a transposed a too. (The wasm GEMM reading a transposed a in place would cost a
    // stride of M floats per k step: it takes the transposes below, direct or swapped, like XNNPACK.)
    const offset = (t: TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
    gemm.multiply({
      a: offset(a),
      b: offset(b),
      out: offset(out),
      batchA,
      batchB,
      m,
      k,
      n,
      transposeA,
      transposeB,
    });
    return out;
  }
  // Two ways to reach XNNPACK's flag-free path; pick the one that moves fewer floats:
  //  direct:  C   = op(A) op(B)                  transposes the flagged inputs;
  //  swapped: C^T = op(B)^T op(A)^T, then C^T^T  transposes the unflagged inputs and C.
  // A weight gradient X^T dY with a tall X ([4608, 64]^T [4608, 16]) moves 4x less swapped.
  const direct = (transposeA ? batchA * m * k : 0) + (transposeB ? batchB * k * n : 0);
  const swapped = (transposeA ? 0 : batchA * m * k) + (transposeB ? 0 : batchB * k * n) + batch * m * n;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo, orig: TensorInfo) => {
    if (t !== orig) temps.push(t);
    return t;
  };
  try {
    if (direct <= swapped) {
      const aa = keep(transposeA ? transposeLastTwo(a, backend) : a, a); // [...batchA, M, K]
      const bb = keep(transposeB ? transposeLastTwo(b, backend) : b, b); // [...batchB, K, N]
      multiply(backend, aa, bb, batchA, batchB, m, k, n, out);
    } else {
      const bt = keep(transposeB ? b : transposeLastTwo(b, backend), b); // [...batchB, N, K]
      const at = keep(transposeA ? a : transposeLastTwo(a, backend), a); // [...batchA, K, M]
      const outT = keep(backend.makeOutput([batch, n, m], 'float32'), out); // [batch, N, M]
      multiply(backend, bt, at, batchB, batchA, n, k, m, outT);
      const c = transposeLastTwo(outT, backend); // [batch, M, N]
      const src = backend.dataIdMap.get(c.dataId).memoryOffset;
      const dst = backend.dataIdMap.get(out.dataId).memoryOffset;
      backend.wasm.HEAPU8.copyWithin(dst, src, src + 4 * batch * m * n);
      backend.disposeData(c.dataId);
    }
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
  return out;
}

/** Kernel config replacing the wasm backend's BatchMatMul. */
export const wasmBatchMatMulConfig: KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
