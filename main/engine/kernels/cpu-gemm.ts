import type { ConvGeometry } from './conv2d';
import { type AdamWNumbers, type ConvNumbers, loadNativeGemm, type NativeGemmAddon } from './native-gemm';
import {
  type GemmProduct,
  type WasmGemm,
  wasmGemm,
  wasmGemmKindExplicit,
  wasmGemmThreadsSetting,
} from './wasm-gemm';
import type { WasmBackendLike } from './wasm-views';

/**
 * The one home of the CPU backends' GEMM choice (BIOMED_CPU_GEMM): `native` (default where the
 * addon is built: native-gemm.ts, AVX-512 / AVX2 / plain C on its own threads, reads a transposed
 * A and B in place) or `wasm` (the engine's WebAssembly GEMM, wasm-gemm.ts, kinds BIOMED_WASM_GEMM).
 * Unset, it is native unless a wasm GEMM kind was asked for (BIOMED_WASM_GEMM=fma|simd|xnnpack or
 * setWasmGemmKind: e.g. simd to round as XNNPACK does, xnnpack for tfjs' threaded build).
 * Both run on the tfjs wasm module's heap; thread count for both: BIOMED_WASM_THREADS, else the
 * core count (wasm-gemm.ts: wasmGemmThreads), with results bit for bit the same whatever it is.
 */
export type CpuGemmKind = 'native' | 'wasm';

export interface CpuGemm {
  /** `native-<isa>` or the wasm GEMM's kind (fma, simd). */
  readonly kind: string;
  /** Whether multiply() reads a transposed A in place (else callers transpose it first). */
  readonly readsTransposedA: boolean;
  /** Whether a whole batch is one call with no per-slice cost (else small slices go elsewhere). */
  readonly batched: boolean;
  multiply(p: GemmProduct): void;
  /** im2col / col2im in native code (byte offsets on the heap), where the native GEMM runs. */
  readonly lowering?: ConvLowering;
  /** The step's element kernels on the native threads, where the native GEMM runs. */
  readonly rowOps?: NativeRowOps;
  /** Attention probabilities and their gradient in native code (byte offsets), where the native GEMM runs. */
  readonly attention?: AttentionRows;
  /** A dense layer's forward and backward pass in one native call each (byte offsets), where the native GEMM runs. */
  readonly dense?: DenseLayer;
}

/**
 * A dense layer on the wasm heap (byte offsets; bias / db -1: none), native/src/dense.h: the same
 * bits as BatchMatMul + Add and BatchMatMul x2 + Sum over rows on the native GEMM, at any thread count.
 */
export interface DenseLayer {
  /** y [rows, out] = x [rows, in] W^T + bias, W [out, in]. */
  forward(p: { x: number; w: number; bias: number; y: number; rows: number; in: number; out: number }): void;
  /** dx = dy W [rows, in], dW = dy^T x [out, in], db = column sums of dy [out]. */
  backward(p: {
    dy: number;
    x: number;
    w: number;
    dx: number;
    dw: number;
    db: number;
    rows: number;
    in: number;
    out: number;
  }): void;
}

/** Rows of softmax(scores + bias) * mult on the wasm heap (byte offsets; -1: no mult / forward). */
export interface AttentionRows {
  /** out = softmax(scores + bias) * mult (dp < 0), else d(scores) from dp = d(probs); out may be scores. */
  run(p: {
    scores: number;
    bias: number;
    mult: number;
    dp: number;
    out: number;
    sizes: readonly [number, number, number, number]; // B, H, T, S
    biasStrides: readonly number[];
    multStrides: readonly number[];
  }): void;
}

/** Element kernels of the native addon on the wasm heap (native/src/rowops.h), offsets in floats. */
export interface NativeRowOps {
  /** AdamW over a weight set: 9 numbers per weight in `table` (NativeGemmAddon.adamw). */
  adamw(table: Float64Array, scalars: AdamWNumbers): void;
  /** GELU (dy 0: y = gelu(x)) or its gradient over n floats, byte offsets; undefined without AVX2 + FMA. */
  readonly gelu?: (x: number, dy: number, out: number, n: number) => void;
  /**
   * The label-smoothed cross-entropy, forward (dy < 0: p and stats from z) or backward (dz from dy
   * and p), byte offsets (allowed -1: none), as wasm-ops' bw_lsce_*; undefined without AVX2 + FMA.
   */
  readonly lsce?: (p: LsceOffsets) => void;
}

/** Byte offsets of a cross-entropy call (native/src/lsce.h); -1 for an absent operand. */
export interface LsceOffsets {
  z: number;
  dy: number;
  p: number;
  targets: number;
  allowed: number;
  out: number;
  stats: number;
  rows: number;
  v: number;
  pad: number;
  eps: number;
}

/** NHWC convolution lowering on the wasm heap (byte offsets), for the GEMM-based conv kernels. */
export interface ConvLowering {
  /** cols [(b, oh, ow), (kh, kw, c)] = x[b, oh*sh - padTop + kh, ow*sw - padLeft + kw, c], 0 outside. */
  im2col(x: number, cols: number, g: ConvGeometry): void;
  /** dx = 0, then dx[b, h, w, c] += dcols[(b, oh, ow), (kh, kw, c)] (col2im's order in wasm-conv-backprop.ts). */
  col2im(dcols: number, dx: number, g: ConvGeometry): void;
}

function convNumbers(g: ConvGeometry): ConvNumbers {
  return [
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
  ];
}

let chosen: CpuGemmKind | undefined;

/**
 * BIOMED_NATIVE_PARALLEL_MACS: the fewest multiply-adds a native product needs to be split over
 * threads (unset: the addon's 1,048,576; smaller ones run on the calling thread alone).
 */
export function nativeParallelMacsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['BIOMED_NATIVE_PARALLEL_MACS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`BIOMED_NATIVE_PARALLEL_MACS='${raw}' is not a whole number >= 0`);
  }
  return n;
}

/** Parses BIOMED_CPU_GEMM (unset: undefined, meaning native where built, else wasm). */
export function cpuGemmKindFromEnv(env: NodeJS.ProcessEnv = process.env): CpuGemmKind | undefined {
  const raw = env['BIOMED_CPU_GEMM'];
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'native' || raw === 'wasm') return raw;
  throw new Error(`BIOMED_CPU_GEMM='${raw}' is not one of native, wasm`);
}

/** Overrides BIOMED_CPU_GEMM for this process (tests, benches); undefined = back to the env. */
export function setCpuGemmKind(kind: CpuGemmKind | undefined): void {
  chosen = kind;
}

function nativeAddon(): NativeGemmAddon | null {
  const want = chosen ?? cpuGemmKindFromEnv() ?? (wasmGemmKindExplicit() ? 'wasm' : undefined);
  if (want === 'wasm') return null;
  const { addon, reason } = loadNativeGemm();
  if (!addon && want === 'native') {
    throw new Error(`BIOMED_CPU_GEMM=native but ${reason}`);
  }
  return addon;
}

const heaps = new WeakMap<object, Float32Array>();
let threadsSet = 0;

function nativeGemm(addon: NativeGemmAddon, backend: WasmBackendLike): CpuGemm {
  const minParallelMacs = nativeParallelMacsFromEnv();
  if (minParallelMacs !== undefined) addon.configure({ minParallelMacs });
  const heapOf = (): Float32Array => {
    // The heap's buffer is replaced when wasm memory grows: one view per buffer.
    const buffer = backend.wasm.HEAPU8.buffer;
    let heap = heaps.get(buffer);
    if (!heap) {
      heap = new Float32Array(buffer);
      heaps.set(buffer, heap);
    }
    return heap;
  };
  const withThreads = (): Float32Array => {
    const threads = wasmGemmThreadsSetting();
    if (threads !== threadsSet) {
      addon.configure({ threads });
      threadsSet = threads;
    }
    return heapOf();
  };
  const floats = (byteOffset: number) => (byteOffset < 0 ? -1 : byteOffset / 4);
  const four = (x: readonly number[]) => x as unknown as [number, number, number, number];
  return {
    dense: {
      forward: ({ x, w, bias, y, rows, in: inp, out }) =>
        addon.dense(withThreads(), floats(x), floats(w), floats(bias), floats(y), rows, inp, out),
      backward: ({ dy, x, w, dx, dw, db, rows, in: inp, out }) =>
        addon.denseGrad(
          withThreads(),
          floats(dy),
          floats(x),
          floats(w),
          floats(dx),
          floats(dw),
          floats(db),
          rows,
          inp,
          out,
        ),
    },
    attention: {
      run: ({ scores, bias, mult, dp, out, sizes, biasStrides, multStrides }) =>
        addon.attention(
          withThreads(),
          floats(scores),
          floats(bias),
          floats(mult),
          floats(dp),
          floats(out),
          ...four(sizes),
          ...four(biasStrides),
          ...four(multStrides),
        ),
    },
    rowOps: {
      adamw: (table, scalars) => addon.adamw(withThreads(), table, ...scalars),
      ...(addon.info().supported.includes('avx2') && {
        gelu: (x: number, dy: number, out: number, n: number) =>
          dy
            ? addon.geluGrad(withThreads(), dy / 4, x / 4, out / 4, n)
            : addon.gelu(withThreads(), x / 4, out / 4, n),
        lsce: ({ z, dy, p, targets, allowed, out, stats, rows, v, pad, eps }: LsceOffsets) =>
          dy < 0
            ? addon.lsce(withThreads(), z / 4, targets / 4, floats(allowed), out / 4, stats / 4, rows, v, pad)
            : addon.lsceGrad(
                withThreads(),
                dy / 4,
                p / 4,
                targets / 4,
                floats(allowed),
                out / 4,
                rows,
                v,
                pad,
                eps,
              ),
      }),
    },
    lowering: {
      im2col: (x, cols, g) => addon.im2col(withThreads(), x / 4, cols / 4, ...convNumbers(g)),
      col2im: (dcols, dx, g) => addon.col2im(withThreads(), dcols / 4, dx / 4, ...convNumbers(g)),
    },
    get kind() {
      return `native-${addon.info().isa}`;
    },
    readsTransposedA: true,
    batched: true,
    multiply({ a, b, out, batchA, batchB, m, k, n, transposeA, transposeB }) {
      addon.gemm(
        withThreads(),
        a / 4,
        b / 4,
        out / 4,
        batchA,
        batchB,
        m,
        k,
        n,
        transposeA === true,
        transposeB,
      );
    },
  };
}

function fromWasm(g: WasmGemm): CpuGemm {
  return {
    kind: g.kind,
    readsTransposedA: false,
    batched: false,
    multiply(p) {
      if (p.transposeA) throw new Error('the wasm GEMM does not read a transposed a: transpose it first');
      g.multiply(p);
    },
  };
}

const wrapped = new WeakMap<WasmGemm, CpuGemm>();
const natives = new WeakMap<object, CpuGemm>();

/** The GEMM for this wasm backend's products: native, the wasm GEMM, or undefined (XNNPACK). */
export function cpuGemm(backend: WasmBackendLike): CpuGemm | undefined {
  const addon = nativeAddon();
  if (addon) {
    let g = natives.get(backend.wasm);
    if (!g) {
      g = nativeGemm(addon, backend);
      natives.set(backend.wasm, g);
    }
    return g;
  }
  const w = wasmGemm(backend);
  if (!w) return undefined;
  let g = wrapped.get(w);
  if (!g) {
    g = fromWasm(w);
    wrapped.set(w, g);
  }
  return g;
}

/** What the backend info records: `native-avx512x2` (ISA, threads) or the wasm GEMM's kind. */
export function cpuGemmLabel(backend: WasmBackendLike): string | undefined {
  const g = cpuGemm(backend);
  if (!g) return undefined;
  return g.readsTransposedA ? `${g.kind}x${wasmGemmThreadsSetting()}` : g.kind;
}
