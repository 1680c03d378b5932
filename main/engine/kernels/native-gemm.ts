import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The native CPU GEMM addon (native/: N-API C, BLIS-style packing, AVX-512 / AVX2+FMA / plain C
 * microkernels chosen at run time, its own sleeping pthread pool), built at `npm ci` by
 * scripts/postinstall.mjs (or `npm run build:native`). It multiplies in place on the tfjs wasm
 * module's heap: offsets are floats from the start of the Float32Array passed in; bad offsets or
 * sizes throw an Error named NativeGemmError (code BIOMED_NATIVE_GEMM_*), never a crash.
 */
export interface NativeGemmAddon {
  gemm(
    heap: Float32Array,
    a: number, // [batchA, M, K], or [batchA, K, M] transposed
    b: number, // [batchB, K, N], or [batchB, N, K] transposed
    out: number, // [max(batchA, batchB), M, N]
    batchA: number,
    batchB: number,
    m: number,
    k: number,
    n: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** cols [(b, oh, ow), (kh, kw, c)] of NHWC x (native/src/im2col.h); offsets in floats. */
  im2col(heap: Float32Array, x: number, cols: number, ...geometry: ConvNumbers): void;
  /** dx = the sum of dcols over the patches that read each input (zeroed first). */
  col2im(heap: Float32Array, dcols: number, dx: number, ...geometry: ConvNumbers): void;
  /**
   * AdamW over a weight set (native/src/rowops.h: the same bits as adamwArrays): `table` holds 9
   * numbers per weight, float offsets p, g, m, v, op, om, ov (m, v: -1 when absent), n, decay;
   * the scalars are adamw-fused.ts' roundedScalars without the decay.
   */
  adamw(heap: Float32Array, table: Float64Array, ...scalars: AdamWNumbers): void;
  /**
   * out = softmax(scores + bias) * mult over the last axis of [B, H, T, S] (dp = -1), or its
   * gradient y ⊙ (g − rowsum(g ⊙ y)), y = softmax(scores + bias), g = dp ⊙ mult (dp >= 0), rows split
   * over the threads from minParallelElems elements (native/src/attention.h). mult = -1: none.
   * out may equal scores (in place). Offsets in floats.
   */
  attention(
    heap: Float32Array,
    scores: number, // [B, H, T, S]
    bias: number, // read at b·s0 + h·s1 + t·s2 + j·s3 (biasStrides)
    mult: number, // likewise by multStrides, or -1
    dp: number, // [B, H, T, S], or -1 for the forward
    out: number, // [B, H, T, S]
    ...sizesAndStrides: [...Four, ...Four, ...Four] // B, H, T, S; bias strides; mult strides
  ): void;
  /** y = gelu(x) over n floats, as wasm-ops/ops.c's bw_gelu (AVX2 + FMA CPUs only: rowops.h). */
  gelu(heap: Float32Array, x: number, y: number, n: number): void;
  /** dx = dy gelu'(x) over n floats, as ops.c's bw_gelu_grad (AVX2 + FMA CPUs only). */
  geluGrad(heap: Float32Array, dy: number, x: number, dx: number, n: number): void;
  /**
   * y [rows, out] = x [rows, in] W^T + bias, W [out, in], bias [out] or -1 (native/src/dense.h):
   * bg_gemm_serial's bits at any thread count, the bias added after the product in float32.
   */
  dense(heap: Float32Array, x: number, w: number, bias: number, y: number, ...sizes: DenseSizes): void;
  /**
   * dx = dy W [rows, in], dW = dy^T x [out, in] and db [out] (-1: none) = the column sums of dy in
   * row order, as one pool job (native/src/dense.h); dy [rows, out], x [rows, in], W [out, in].
   */
  denseGrad(
    heap: Float32Array,
    dy: number,
    x: number,
    w: number,
    dx: number,
    dw: number,
    db: number,
    ...sizes: DenseSizes
  ): void;
  /**
   * The label-smoothed cross-entropy's forward over [rows, v] logits, as wasm-ops/ops.c's
   * bw_lsce_forward bit for bit (AVX2 + FMA CPUs only: native/src/lsce.h): p = softmax, and per row
   * 4 doubles of statistics at `stats` (an even float offset). allowed = -1: no mask. Float offsets.
   */
  lsce(
    heap: Float32Array,
    z: number,
    targets: number, // int32 [rows]
    allowed: number,
    p: number,
    stats: number,
    rows: number,
    v: number,
    pad: number,
  ): void;
  /** Its gradient dz from the saved p and per-row dy, as ops.c's bw_lsce_backward bit for bit. */
  lsceGrad(
    heap: Float32Array,
    dy: number,
    p: number,
    targets: number,
    allowed: number,
    dz: number,
    rows: number,
    v: number,
    pad: number,
    eps: number,
  ): void;
  info(): NativeGemmInfo;
  configure(opts: NativeGemmOptions): NativeGemmInfo;
}

type Four = [number, number, number, number];

/** rows, in, out of a dense layer. */
export type DenseSizes = [number, number, number];

/** b1, 1 - b1, b2, 1 - b2, eps, stepSize, gradScale (each rounded to float32). */
export type AdamWNumbers = [number, number, number, number, number, number, number];

export interface NativeGemmOptions {
  threads?: number;
  isa?: NativeIsa | null;
  minParallelMacs?: number;
  /** Fewest elements an element kernel (adamw, gelu, attention) needs to be split over threads (default 65,536). */
  minParallelElems?: number;
}

/** batch, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft */
export type ConvNumbers = [...Six, ...Six];
type Six = [number, number, number, number, number, number];

export type NativeIsa = 'avx512' | 'avx2' | 'scalar';

export interface NativeGemmInfo {
  readonly isa: NativeIsa;
  readonly threads: number;
  readonly mr: number;
  readonly nr: number;
  readonly minParallelMacs: number;
  readonly minParallelElems: number;
  /** Kernels this CPU runs, fastest first. */
  readonly supported: NativeIsa[];
}

/** Path of the built addon inside the package (source tree, build or packaged app). */
export const NATIVE_GEMM_FILE = join(
  'main',
  'engine',
  'kernels',
  'native',
  'build',
  'Release',
  'biomed_gemm.node',
);

/** Where the addon may be: beside this source file, above the bundle (build/main), unpacked from the asar. */
export function nativeGemmCandidates(moduleUrl: string = import.meta.url): string[] {
  const here = dirname(fileURLToPath(moduleUrl));
  const found = [join(here, 'native', 'build', 'Release', 'biomed_gemm.node')];
  let dir = here;
  for (let i = 0; i < 6; i++) {
    found.push(join(dir, NATIVE_GEMM_FILE));
    dir = dirname(dir);
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) found.push(join(resources, 'app.asar.unpacked', NATIVE_GEMM_FILE));
  return found;
}

/** Every function this source calls: an addon built from older sources lacks some and is not used. */
export const NATIVE_GEMM_FUNCTIONS = [
  'gemm',
  'im2col',
  'col2im',
  'adamw',
  'attention',
  'gelu',
  'geluGrad',
  'dense',
  'denseGrad',
  'lsce',
  'lsceGrad',
  'info',
  'configure',
] as const satisfies readonly (keyof NativeGemmAddon)[];

/** The functions of NATIVE_GEMM_FUNCTIONS a loaded module does not export. */
export function missingNativeFunctions(exports: unknown): string[] {
  const found = (exports ?? {}) as Record<string, unknown>;
  return NATIVE_GEMM_FUNCTIONS.filter((name) => typeof found[name] !== 'function');
}

let loaded: { addon: NativeGemmAddon | null; reason: string } | undefined;

/** Loads the addon once per process: the addon, or null and why not. */
export function loadNativeGemm(candidates: string[] = nativeGemmCandidates()): {
  addon: NativeGemmAddon | null;
  reason: string;
} {
  if (loaded) return loaded;
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    loaded = { addon: null, reason: 'the native GEMM addon is not built (run `npm run build:native`)' };
    return loaded;
  }
  try {
    const mod = { exports: {} as unknown };
    process.dlopen(mod, file);
    const missing = missingNativeFunctions(mod.exports);
    loaded = missing.length
      ? {
          addon: null,
          reason: `the native GEMM addon at ${file} is out of date: it lacks ${missing.join(', ')} (run \`npm run build:native\`)`,
        }
      : { addon: mod.exports as NativeGemmAddon, reason: file };
  } catch (err) {
    loaded = {
      addon: null,
      reason: `the native GEMM addon at ${file} does not load: ${(err as Error).message}`,
    };
  }
  return loaded;
}
