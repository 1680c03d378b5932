import { setFlagsFromString } from 'node:v8';
import { GEMM_RELAXED_WASM, GEMM_SIMD_WASM } from './wasm-gemm/gemm-wasm';
import type { WasmBackendLike } from './wasm-views';

/**
 * The engine's own f32 GEMM (wasm-gemm/gemm.c, 4x8 register tiles over a packed B) running on the
 * tfjs wasm module's memory. On the dominant train-step products it runs at ~41-47 GFLOP/s with FMA
 * (`f32x4.relaxed_madd`) and ~30-32 with mul+add, against 12-25 for XNNPACK in tfjs 4.22
 * (bench/wasm-fma, bench/RESULTS.md "Relaxed-SIMD FMA (issue 13)").
 *
 * Kinds (BIOMED_WASM_GEMM): `fma` (default; falls back to `simd` where V8 rejects relaxed SIMD),
 * `simd` (mul+add: rounds exactly as XNNPACK does), `xnnpack` (off). Only the single-threaded
 * build: the threaded one shares its memory between workers and keeps XNNPACK's thread pool.
 */
export type WasmGemmKind = 'fma' | 'simd' | 'xnnpack';

/** A [batch] product out[i] = a[i] op(b[i]) on the wasm heap (byte offsets of float32 data). */
export interface GemmProduct {
  readonly a: number; // [batchA, M, K]
  readonly b: number; // [batchB, K, N], or [batchB, N, K] with transposeB
  readonly out: number; // [max(batchA, batchB), M, N]
  readonly batchA: number; // 1 broadcasts
  readonly batchB: number; // 1 broadcasts
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeB: boolean;
}

export interface WasmGemm {
  readonly kind: 'fma' | 'simd';
  /** A transposed B is read in place (packing gathers B^T); a transposed A must be transposed first. */
  multiply(p: GemmProduct): void;
}

interface Exports {
  bw_packed_size(k: number, n: number): number;
  bw_pack_b(b: number, k: number, n: number, bp: number): void;
  bw_pack_bt(bt: number, k: number, n: number, bp: number): void;
  bw_gemm(a: number, bp: number, c: number, m: number, k: number, n: number): void;
}

interface EmscriptenParts {
  asm?: { memory?: unknown };
  _malloc?: (bytes: number) => number;
  _free?: (ptr: number) => void;
}

let chosen: WasmGemmKind | undefined;

/** Parses BIOMED_WASM_GEMM (unset: fma). */
export function wasmGemmKindFromEnv(env: NodeJS.ProcessEnv = process.env): WasmGemmKind {
  const raw = env['BIOMED_WASM_GEMM'];
  if (raw === undefined || raw === '') return 'fma';
  if (raw === 'fma' || raw === 'simd' || raw === 'xnnpack') return raw;
  throw new Error(`BIOMED_WASM_GEMM='${raw}' is not one of fma, simd, xnnpack`);
}

/** Overrides BIOMED_WASM_GEMM for this process (tests, benches); undefined = back to the env. */
export function setWasmGemmKind(kind: WasmGemmKind | undefined): void {
  chosen = kind;
}

const modules = new Map<'fma' | 'simd', WebAssembly.Module | null>();

function compiled(kind: 'fma' | 'simd'): WebAssembly.Module | null {
  let mod = modules.get(kind);
  if (mod === undefined) {
    try {
      // Node 20's V8 validates relaxed SIMD only behind this flag; it must be set before the module
      // is compiled and only enables the instructions (shipped by default from V8 11.4 / Node 22).
      if (kind === 'fma') setFlagsFromString('--experimental-wasm-relaxed-simd');
      mod = new WebAssembly.Module(
        Buffer.from(kind === 'fma' ? GEMM_RELAXED_WASM : GEMM_SIMD_WASM, 'base64'),
      );
    } catch {
      mod = null;
    }
    modules.set(kind, mod);
  }
  return mod;
}

const instances = new WeakMap<object, Map<'fma' | 'simd', WasmGemm | null>>();

function instantiate(backend: WasmBackendLike, kind: 'fma' | 'simd'): WasmGemm | null {
  const wasm = backend.wasm as unknown as EmscriptenParts;
  const memory = wasm.asm?.memory;
  const malloc = wasm._malloc;
  const free = wasm._free;
  // The threaded build's memory is shared (and imported by its workers): not ours to use.
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer)) return null;
  if (typeof malloc !== 'function' || typeof free !== 'function') return null;
  const mod = compiled(kind);
  if (!mod) return null;
  let ex: Exports;
  try {
    ex = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Exports;
  } catch {
    return null; // a memory this module cannot import: XNNPACK stays in charge
  }
  return {
    kind,
    multiply({ a, b, out, batchA, batchB, m, k, n, transposeB }) {
      const bytes = 4 * ex.bw_packed_size(k, n);
      const bp = malloc(bytes);
      if (bp === 0) throw new Error(`wasm GEMM: cannot allocate ${bytes} bytes for the packed B`);
      const pack = transposeB ? ex.bw_pack_bt : ex.bw_pack_b;
      try {
        if (batchB === 1) {
          // b shared: the batch of a folds into rows, [batchA * M, K] x [K, N].
          pack(b, k, n, bp);
          ex.bw_gemm(a, bp, out, batchA * m, k, n);
          return;
        }
        for (let i = 0; i < Math.max(batchA, batchB); i++) {
          if (batchB !== 1 || i === 0) pack(b + 4 * (batchB === 1 ? 0 : i) * k * n, k, n, bp);
          ex.bw_gemm(a + 4 * (batchA === 1 ? 0 : i) * m * k, bp, out + 4 * i * m * n, m, k, n);
        }
      } finally {
        free(bp);
      }
    },
  };
}

/** The GEMM to use on this backend, or undefined for XNNPACK (kind `xnnpack`, threaded build). */
export function wasmGemm(backend: WasmBackendLike): WasmGemm | undefined {
  const want = chosen ?? wasmGemmKindFromEnv();
  if (want === 'xnnpack') return undefined;
  let perBackend = instances.get(backend.wasm);
  if (!perBackend) {
    perBackend = new Map();
    instances.set(backend.wasm, perBackend);
  }
  let g = perBackend.get(want);
  if (g === undefined) {
    g = instantiate(backend, want) ?? (want === 'fma' ? instantiate(backend, 'simd') : null);
    perBackend.set(want, g);
  }
  return g ?? undefined;
}
