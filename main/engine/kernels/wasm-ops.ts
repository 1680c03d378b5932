import { setFlagsFromString } from 'node:v8';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { OPS_RELAXED_WASM, OPS_SIMD_WASM } from './wasm-ops/ops-wasm';

/**
 * The engine's single-pass wasm kernels (wasm-ops/ops.c, simd128, built by wasm-gemm/build.sh)
 * on the tfjs wasm module's memory: GELU and its gradient, AdamW over the parameter set, the
 * gradients' sum of squares,
 * label-smoothed cross-entropy, LayerNorm (and residual + LayerNorm), training BatchNorm, each
 * way. Each replaces the wasm side of the engine kernel of the same name (the JS array loops or the
 * composed tf-op kernels); the cpu and webgpu backends keep theirs. Not bit-identical to what they
 * replace (own exp/erf, float32 elementwise, another summation order): the tests bound the
 * difference against float64 references (AdamW alone keeps the same bits: double inside, as the JS).
 *
 * Built twice: with FMA (`f32x4.relaxed_madd` in the exp/erf polynomials; kind `fma`, used where
 * V8 validates relaxed SIMD) and with mul + add (`simd`).
 *
 * BIOMED_WASM_OPS: `single-pass` (default) or `composed` (the kernels they replace), read at
 * each call so a bench can compare both in one process; recorded with the run's kernels.
 */
export type WasmOpsMode = 'single-pass' | 'composed';

/** The exports of ops.c; pointers are byte offsets into the tfjs heap (0: none). */
export interface OpsExports {
  bw_gelu(x: number, y: number, n: number): void;
  bw_max_pool_grad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    sh: number,
    sw: number,
    fh: number,
    fw: number,
    pt: number,
    pl: number,
  ): void;
  bw_sum_squares(x: number, n: number): number;
  bw_bn_running(
    rm: number,
    rv: number,
    mean: number,
    variance: number,
    om: number,
    ov: number,
    c: number,
    k: number,
    a: number,
    b: number,
  ): void;
  bw_sum_rows(x: number, rows: number, cols: number, out: number): void;
  bw_gelu_grad(dy: number, x: number, dx: number, n: number): void;
  bw_adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    op: number,
    om: number,
    ov: number,
    n: number,
    b1: number,
    c1: number,
    b2: number,
    c2: number,
    eps: number,
    decay: number,
    step: number,
    scale: number,
  ): void;
  bw_layer_norm(
    x: number,
    r: number,
    s: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    rstd: number,
    stride: number,
    rows: number,
    d: number,
    eps: number,
  ): void;
  bw_layer_norm_grad(
    dy: number,
    x: number,
    mean: number,
    rstd: number,
    stride: number,
    gamma: number,
    ds: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    acc: number,
    rows: number,
    d: number,
  ): void;
  bw_batch_norm(
    x: number,
    gamma: number,
    beta: number,
    y: number,
    mean: number,
    variance: number,
    acc: number,
    rows: number,
    c: number,
    eps: number,
  ): void;
  bw_batch_norm_grad(
    dy: number,
    x: number,
    mean: number,
    variance: number,
    gamma: number,
    dx: number,
    dgamma: number,
    dbeta: number,
    acc: number,
    rows: number,
    c: number,
    eps: number,
  ): void;
  bw_lsce_forward(
    z: number,
    targets: number,
    allowed: number,
    pad: number,
    p: number,
    stats: number,
    rows: number,
    v: number,
  ): void;
  bw_lsce_backward(
    dy: number,
    p: number,
    targets: number,
    allowed: number,
    eps: number,
    pad: number,
    dz: number,
    rows: number,
    v: number,
  ): void;
}

/** The parts of tfjs' BackendWasm (4.22) the single-pass kernels use. */
interface WasmBackendParts {
  wasm: { asm?: { memory?: unknown }; _malloc?: (bytes: number) => number; _free?: (ptr: number) => void };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
}

/** The single-pass kernels bound to one wasm backend. */
export interface WasmOps {
  readonly kind: 'fma' | 'simd';
  readonly ex: OpsExports;
  /** Byte offset of a tensor's data on the heap; 0 for an absent (optional) input. */
  at(t: TensorInfo | undefined): number;
  /** A new float32 output tensor. */
  output(shape: readonly number[]): TensorInfo;
  /** Runs `fn` with `bytes` of 8-byte aligned scratch memory, freed afterwards. */
  withScratch<T>(bytes: number, fn: (ptr: number) => T): T;
  /**
   * A kernel call: allocates float32 outputs of `shapes`, then runs `fn` on the heap offsets of
   * the inputs (0 for absent ones) and outputs, with `scratch` bytes of scratch; returns the outputs.
   */
  run(
    inputs: readonly (TensorInfo | undefined)[],
    shapes: readonly (readonly number[])[],
    fn: (ins: number[], outs: number[], scratch: number) => void,
    scratch?: number,
  ): TensorInfo[];
  /** Views of `n` doubles, floats, int32s at `ptr` (made after any allocation). */
  f64(ptr: number, n: number): Float64Array;
  f32(ptr: number, n: number): Float32Array;
  i32(ptr: number, n: number): Int32Array;
}

let chosen: WasmOpsMode | undefined;

/** Parses BIOMED_WASM_OPS (unset: single-pass). */
export function wasmOpsModeFromEnv(env: NodeJS.ProcessEnv = process.env): WasmOpsMode {
  const raw = (env['BIOMED_WASM_OPS'] ?? '').trim();
  if (raw === '') return 'single-pass';
  if (raw === 'single-pass' || raw === 'composed') return raw;
  throw new Error(`BIOMED_WASM_OPS='${raw}' is not one of single-pass, composed`);
}

/** The mode in force now (setWasmOpsMode, else BIOMED_WASM_OPS). */
export function wasmOpsMode(): WasmOpsMode {
  return chosen ?? wasmOpsModeFromEnv();
}

/** Overrides BIOMED_WASM_OPS for this process (tests, benches); undefined = back to the env. */
export function setWasmOpsMode(mode: WasmOpsMode | undefined): void {
  chosen = mode;
}

let mod: { kind: 'fma' | 'simd'; module: WebAssembly.Module } | null | undefined;

function compile(): typeof mod {
  try {
    // Node 20's V8 validates relaxed SIMD only behind this flag (as wasm-gemm.ts sets it).
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return { kind: 'fma', module: new WebAssembly.Module(Buffer.from(OPS_RELAXED_WASM, 'base64')) };
  } catch {
    try {
      return { kind: 'simd', module: new WebAssembly.Module(Buffer.from(OPS_SIMD_WASM, 'base64')) };
    } catch {
      return null; // no SIMD here: the kernels they replace stay
    }
  }
}
const bound = new WeakMap<object, WasmOps | null>();

function bind(b: WasmBackendParts): WasmOps | null {
  const { asm, _malloc: malloc, _free: free } = b.wasm;
  const memory = asm?.memory;
  // Only the single-threaded build's own (non-shared) memory, as the engine's GEMM.
  if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof ArrayBuffer)) return null;
  if (typeof malloc !== 'function' || typeof free !== 'function') return null;
  mod ??= compile();
  if (!mod) return null;
  const ex = new WebAssembly.Instance(mod.module, { env: { memory } }).exports as unknown as OpsExports;
  const at = (t: TensorInfo | undefined) => (t ? b.dataIdMap.get(t.dataId)!.memoryOffset : 0);
  const withScratch = <T>(bytes: number, fn: (ptr: number) => T): T => {
    const raw = malloc(bytes + 8);
    if (raw === 0) throw new Error(`wasm ops: cannot allocate ${bytes} bytes of scratch`);
    try {
      return fn((raw + 7) & ~7);
    } finally {
      free(raw);
    }
  };
  return {
    kind: mod.kind,
    ex,
    at,
    output: (shape) => b.makeOutput([...shape], 'float32'),
    withScratch,
    run(inputs, shapes, fn, scratch = 0) {
      const outs = shapes.map((s) => b.makeOutput([...s], 'float32'));
      const ins = inputs.map(at);
      const ptrs = outs.map(at);
      if (scratch > 0) withScratch(scratch, (acc) => fn(ins, ptrs, acc));
      else fn(ins, ptrs, 0);
      return outs;
    },
    f64: (ptr, n) => new Float64Array(memory.buffer, ptr, n),
    f32: (ptr, n) => new Float32Array(memory.buffer, ptr, n),
    i32: (ptr, n) => new Int32Array(memory.buffer, ptr, n),
  };
}

/**
 * The single-pass kernels for this kernel call's backend, or undefined: not the single-threaded
 * wasm backend (the cpu backend shares the array kernels), BIOMED_WASM_OPS=composed, or no SIMD.
 */
export function wasmOps(backend: unknown): WasmOps | undefined {
  if (wasmOpsMode() === 'composed') return undefined;
  const b = backend as Partial<WasmBackendParts>;
  if (typeof b !== 'object' || b === null || !b.wasm || !b.dataIdMap) return undefined;
  let ops = bound.get(b.wasm);
  if (ops === undefined) {
    ops = bind(b as WasmBackendParts);
    bound.set(b.wasm, ops);
  }
  return ops ?? undefined;
}
