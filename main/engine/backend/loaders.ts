import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { wasmGemmKind, wasmGemmKindFromEnv, wasmGemmThreads } from '#main/engine/kernels/wasm-gemm';
import type { BackendName, GpuAdapterInfo } from './types';
import { threadsUnsupportedReason, WASM_MAX_THREADS, withWasmThreads } from './wasm-threads';
import { loadWebgpu } from './webgpu';

const require = createRequire(import.meta.url);

/** What a loader learned about its backend once it is active. */
export interface LoadedBackend {
  readonly version: string;
  readonly device: 'cpu' | 'cuda' | 'gpu';
  readonly threads: number;
  readonly simd: boolean;
  readonly adapter?: GpuAdapterInfo;
}

/**
 * Loads and registers one backend; throws with a readable reason when it cannot. `forced`: the
 * user named this backend (BIOMED_BACKEND), so a software WebGPU adapter is accepted too.
 */
export type BackendLoader = (forced?: boolean) => Promise<LoadedBackend>;

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // The first line carries the cause; native loaders append long stack-like tails.
  return text.split('\n')[0]!.slice(0, 300);
}

async function activate(name: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (err) {
    throw new Error(`setBackend('${name}') threw: ${errorText(err)}`);
  }
  await tf.ready();
  // tfjs falls back silently to another registered backend when init fails.
  if (!ok || tf.getBackend() !== name) {
    throw new Error(`setBackend('${name}') left tfjs on '${tf.getBackend()}'`);
  }
}

/**
 * Loads an optional native package; a missing one and a present-but-broken one (installed with
 * --ignore-scripts: no tfjs_binding.node) both become an Error naming the package and the cause.
 */
export function requireOptional(pkg: string, req: (id: string) => unknown = require): { version?: string } {
  try {
    const mod = req(pkg) as { version?: Record<string, string> };
    const pj = req(`${pkg}/package.json`) as { version?: string };
    return { version: pj.version ?? mod.version?.['tfjs-node'] };
  } catch (err) {
    throw new Error(`${pkg} not loadable: ${errorText(err)}`);
  }
}

function cpuCount(): number {
  // navigator.hardwareConcurrency exists in Node >= 21; os.availableParallelism in >= 18.14.
  const os = require('node:os') as typeof import('node:os');
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

const loadNodeGpu: BackendLoader = async () => {
  const { version } = requireOptional('@tensorflow/tfjs-node-gpu');
  await activate('tensorflow');
  return { version: `tfjs-node-gpu ${version ?? '?'}`, device: 'cuda', threads: cpuCount(), simd: false };
};

const loadWebgpuBackend: BackendLoader = async (forced = false) => {
  const adapter = await loadWebgpu(forced);
  let version = tf.version_core; // released in lockstep with tfjs-core
  try {
    version = (require('@tensorflow/tfjs-backend-webgpu/package.json') as { version: string }).version;
  } catch {
    // bundled (bench/gpu): no package.json beside the code
  }
  return { version: `tfjs-backend-webgpu ${version}`, device: 'gpu', threads: 1, simd: false, adapter };
};

const loadNode: BackendLoader = async () => {
  const { version } = requireOptional('@tensorflow/tfjs-node');
  await activate('tensorflow');
  return { version: `tfjs-node ${version ?? '?'}`, device: 'cpu', threads: cpuCount(), simd: false };
};

/**
 * Threads for tfjs' own WebAssembly build. With the engine's GEMM (BIOMED_WASM_GEMM fma or simd,
 * the default) always 1: the single-threaded SIMD build, whose matrix products the engine's GEMM
 * runs on BIOMED_WASM_THREADS threads (default: the core count; kernels/wasm-gemm.ts,
 * wasm-gemm-pool.ts). With BIOMED_WASM_GEMM=xnnpack, BIOMED_WASM_THREADS (2..8) starts tfjs'
 * threaded build with XNNPACK on a thread pool, else 1. Measured on an idle 2-core machine
 * (bench/RESULTS.md), two XNNPACK threads were no faster than one (cpu-m 4% faster for 40% more
 * CPU, cpu-xs/cpu-s slower) and with no free core 2-3x slower (XNNPACK's pool spin-waits between
 * operations). Results do not depend on the thread count (backend/wasm-threads.test.ts,
 * kernels/wasm-gemm-pool.test.ts: bit-identical).
 */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BIOMED_WASM_THREADS'];
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > WASM_MAX_THREADS) {
    throw new Error(`BIOMED_WASM_THREADS='${raw}' is not a whole number from 1 to ${WASM_MAX_THREADS}`);
  }
  return wasmGemmKindFromEnv(env) === 'xnnpack' ? n : 1;
}

let wasmPathsSet = false;
let wasmStarted = false;

const loadWasm: BackendLoader = async () => {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries ship beside the package's main file: load them from disk, never the network.
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
  if (!wasmPathsSet) {
    // setWasmPaths throws once the module has initialised; call it once, before first use.
    wasm.setWasmPaths(`${dist}/`);
    wasmPathsSet = true;
  }
  const threads = wasmThreadCount();
  // Thread count and build are fixed when the module first initialises; later calls only switch.
  const why = threads > 1 ? threadsUnsupportedReason() : undefined;
  if (!wasmStarted && threads > 1 && !why) {
    await withWasmThreads(threads, wasm.setThreadsCount, () => activate('wasm'));
  } else {
    await activate('wasm');
  }
  wasmStarted = true;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return {
    version: `tfjs-backend-wasm ${wasm.version_wasm}`,
    device: 'cpu',
    // tfjs' own threads, or (single-threaded build) the engine GEMM's
    threads:
      wasm.getThreadsCount() > 1 || wasmGemmKind() === 'xnnpack' ? wasm.getThreadsCount() : wasmGemmThreads(),
    simd,
  };
};

const loadCpu: BackendLoader = async () => {
  const cpu = await import('@tensorflow/tfjs-backend-cpu');
  await activate('cpu');
  return { version: `tfjs-backend-cpu ${cpu.version_cpu}`, device: 'cpu', threads: 1, simd: false };
};

/** One loader per backend name. */
export const LOADERS: Readonly<Record<BackendName, BackendLoader>> = {
  'node-gpu': loadNodeGpu,
  webgpu: loadWebgpuBackend,
  tensorflow: loadNode,
  wasm: loadWasm,
  cpu: loadCpu,
};
