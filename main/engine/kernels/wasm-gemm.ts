import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import {
  GEMM_RELAXED_SHARED_WASM,
  GEMM_RELAXED_WASM,
  GEMM_SIMD_SHARED_WASM,
  GEMM_SIMD_WASM,
} from './wasm-gemm/gemm-wasm';
import { canBlock, GemmPool, type WorkerShare } from './wasm-gemm-pool';
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
 *
 * Threads ({@link wasmGemmThreads}: BIOMED_WASM_THREADS, else the core count, at most 8): products
 * of at least {@link POOL_MIN_MACS} multiply-adds are split by rows or batch slices over a pool
 * of wasm workers (wasm-gemm-pool.ts), with results bit for bit those of one thread.
 */
export type WasmGemmKind = 'fma' | 'simd' | 'xnnpack';

/** A [batch] product out[i] = a[i] op(b[i]) on the wasm heap (byte offsets of float32 data). */
export interface GemmProduct {
  readonly a: number; // [batchA, M, K], or [batchA, K, M] with transposeA (native GEMM only: cpu-gemm.ts)
  readonly b: number; // [batchB, K, N], or [batchB, N, K] with transposeB
  readonly out: number; // [max(batchA, batchB), M, N]
  readonly batchA: number; // 1 broadcasts
  readonly batchB: number; // 1 broadcasts
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeB: boolean;
  readonly transposeA?: boolean;
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
let chosenThreads: number | undefined;

/** The pool's most threads (the tfjs threaded build's cap too). */
export const GEMM_MAX_THREADS = 8;

/**
 * Below this many multiply-adds a product runs on the calling thread alone: waking a worker and
 * copying its share through the pool's memory costs tens of microseconds.
 */
export const POOL_MIN_MACS = 1 << 20;

/** Parses BIOMED_WASM_THREADS for the engine's GEMM (unset: the core count, at most 8). */
export function wasmGemmThreadsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BIOMED_WASM_THREADS'];
  if (raw === undefined || raw.trim() === '')
    return Math.min(GEMM_MAX_THREADS, Math.max(1, availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > GEMM_MAX_THREADS) {
    throw new Error(`BIOMED_WASM_THREADS='${raw}' is not a whole number from 1 to ${GEMM_MAX_THREADS}`);
  }
  return n;
}

/** Overrides the GEMM's thread count for this process (tests, benches); undefined = back to the env. */
export function setWasmGemmThreads(threads: number | undefined): void {
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > GEMM_MAX_THREADS)) {
    throw new Error(`wasm GEMM threads ${threads} is not a whole number from 1 to ${GEMM_MAX_THREADS}`);
  }
  chosenThreads = threads;
}

/** The GEMM thread count set (setWasmGemmThreads, else BIOMED_WASM_THREADS, else the core count). */
export function wasmGemmThreadsSetting(): number {
  return chosenThreads ?? wasmGemmThreadsFromEnv();
}

/** Threads the engine's GEMM uses now (1 where this thread may not block in Atomics.wait). */
export function wasmGemmThreads(): number {
  const n = wasmGemmThreadsSetting();
  return n > 1 && !blockingAllowed() ? 1 : n;
}

let blocking: boolean | undefined;
function blockingAllowed(): boolean {
  blocking ??= canBlock();
  return blocking;
}

/** Parses BIOMED_WASM_GEMM (unset: fma). */
export function wasmGemmKindFromEnv(env: NodeJS.ProcessEnv = process.env): WasmGemmKind {
  const raw = env['BIOMED_WASM_GEMM'];
  if (raw === undefined || raw === '') return 'fma';
  if (raw === 'fma' || raw === 'simd' || raw === 'xnnpack') return raw;
  throw new Error(`BIOMED_WASM_GEMM='${raw}' is not one of fma, simd, xnnpack`);
}

/** Whether a wasm GEMM kind was asked for (setWasmGemmKind or BIOMED_WASM_GEMM), not defaulted. */
export function wasmGemmKindExplicit(env: NodeJS.ProcessEnv = process.env): boolean {
  return chosen !== undefined || (env['BIOMED_WASM_GEMM'] ?? '') !== '';
}

/** The kind in force now (setWasmGemmKind, else BIOMED_WASM_GEMM). */
export function wasmGemmKind(): WasmGemmKind {
  return chosen ?? wasmGemmKindFromEnv();
}

/** Overrides BIOMED_WASM_GEMM for this process (tests, benches); undefined = back to the env. */
export function setWasmGemmKind(kind: WasmGemmKind | undefined): void {
  chosen = kind;
}

const modules = new Map<string, WebAssembly.Module | null>();

const SOURCES = {
  fma: GEMM_RELAXED_WASM,
  simd: GEMM_SIMD_WASM,
  'fma-shared': GEMM_RELAXED_SHARED_WASM,
  'simd-shared': GEMM_SIMD_SHARED_WASM,
} as const;

function compiled(kind: keyof typeof SOURCES): WebAssembly.Module | null {
  let mod = modules.get(kind);
  if (mod === undefined) {
    try {
      // Node 20's V8 validates relaxed SIMD only behind this flag; it must be set before the module
      // is compiled and only enables the instructions (shipped by default from V8 11.4 / Node 22).
      if (kind.startsWith('fma')) setFlagsFromString('--experimental-wasm-relaxed-simd');
      mod = new WebAssembly.Module(Buffer.from(SOURCES[kind], 'base64'));
    } catch {
      mod = null;
    }
    modules.set(kind, mod);
  }
  return mod;
}

const pools = new Map<string, GemmPool | null>();
let split = 0;

/** How many products this process has split over a pool (benches, tests). */
export function wasmGemmSplitProducts(): number {
  return split;
}

/** The pool of `threads` for this kind, made on first use (null: it cannot be made here). */
function pool(kind: 'fma' | 'simd', threads: number): GemmPool | null {
  const key = `${kind}:${threads}`;
  let p = pools.get(key);
  if (p === undefined) {
    const mod = compiled(`${kind}-shared`);
    try {
      p = mod ? new GemmPool(mod, threads) : null;
    } catch {
      p = null; // no shared memory or workers here: one thread
    }
    pools.set(key, p);
  }
  return p;
}

/** Stops every GEMM pool's workers (tests; a later product makes a new pool). */
export function closeWasmGemmPools(): void {
  for (const p of pools.values()) p?.close();
  pools.clear();
}

/** Splits `units` into `parts` contiguous runs of whole multiples of `align` (the last takes the rest). */
function splitRuns(units: number, parts: number, align: number): [number, number][] {
  const step = Math.ceil(units / parts / align) * align;
  const runs: [number, number][] = [];
  for (let start = 0; start < units; start += step) runs.push([start, Math.min(units, start + step)]);
  return runs;
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
  const heap = (): Float32Array => new Float32Array((memory as WebAssembly.Memory).buffer);
  return {
    kind,
    multiply({ a, b, out, batchA, batchB, m, k, n, transposeB }) {
      const bytes = 4 * ex.bw_packed_size(k, n);
      const bp = malloc(bytes);
      if (bp === 0) throw new Error(`wasm GEMM: cannot allocate ${bytes} bytes for the packed B`);
      const pack = transposeB ? ex.bw_pack_bt : ex.bw_pack_b;
      const batch = Math.max(batchA, batchB);
      const threads = batch * m * k * n >= POOL_MIN_MACS ? wasmGemmThreads() : 1;
      const workers = threads > 1 ? pool(kind, threads) : null;
      try {
        if (batchB === 1) {
          // b shared: the batch of a folds into rows, [batchA * M, K] x [K, N].
          const rows = batchA * m;
          const runs = workers ? splitRuns(rows, threads, 4) : [[0, rows] as [number, number]];
          const own = () => {
            pack(b, k, n, bp);
            ex.bw_gemm(a, bp, out, runs[0]![1], k, n);
          };
          if (runs.length === 1 || !workers) return own();
          const h = heap();
          const shares = runs.slice(1).map(
            ([r0, r1]): WorkerShare => ({
              count: 1,
              m: r1 - r0,
              k,
              n,
              transposeB,
              aStride: 0,
              bStride: 0,
              aFloats: (r1 - r0) * k,
              bFloats: k * n,
              copyIn: (p, aAt, bAt) => {
                p.set(h.subarray(a / 4 + r0 * k, a / 4 + r1 * k), aAt);
                p.set(h.subarray(b / 4, b / 4 + k * n), bAt);
              },
              copyOut: (p, cAt) => h.set(p.subarray(cAt, cAt + (r1 - r0) * n), out / 4 + r0 * n),
            }),
          );
          workers.run(shares, own);
          split++;
          return;
        }
        // One product per batch slice (b differs per slice), whole slices per thread.
        const runs = workers ? splitRuns(batch, threads, 1) : [[0, batch] as [number, number]];
        const own = () => {
          for (let i = 0; i < runs[0]![1]; i++) {
            pack(b + 4 * i * k * n, k, n, bp);
            ex.bw_gemm(a + 4 * (batchA === 1 ? 0 : i) * m * k, bp, out + 4 * i * m * n, m, k, n);
          }
        };
        if (runs.length === 1 || !workers) return own();
        const h = heap();
        const shares = runs.slice(1).map(([i0, i1]): WorkerShare => {
          const count = i1 - i0;
          const aFrom = a / 4 + (batchA === 1 ? 0 : i0 * m * k);
          const aFloats = batchA === 1 ? m * k : count * m * k;
          return {
            count,
            m,
            k,
            n,
            transposeB,
            aStride: batchA === 1 ? 0 : m * k,
            bStride: k * n,
            aFloats,
            bFloats: count * k * n,
            copyIn: (p, aAt, bAt) => {
              p.set(h.subarray(aFrom, aFrom + aFloats), aAt);
              p.set(h.subarray(b / 4 + i0 * k * n, b / 4 + i1 * k * n), bAt);
            },
            copyOut: (p, cAt) => h.set(p.subarray(cAt, cAt + count * m * n), out / 4 + i0 * m * n),
          };
        });
        workers.run(shares, own);
        split++;
      } finally {
        free(bp);
      }
    },
  };
}

/** The GEMM to use on this backend, or undefined for XNNPACK (kind `xnnpack`, threaded build). */
export function wasmGemm(backend: WasmBackendLike): WasmGemm | undefined {
  const want = wasmGemmKind();
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
