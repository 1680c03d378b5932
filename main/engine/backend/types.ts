/** A TensorFlow.js backend this engine knows how to load, best first. */
export type BackendName = 'node-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Preference order used when nothing is forced. */
export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'tensorflow', 'wasm', 'cpu'];

/** Outcome of trying one backend. */
export interface BackendProbe {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it was not usable (missing package, broken binary, setBackend refused). */
  readonly reason?: string;
}

/** The backend the engine runs on, recorded with every run. */
export interface BackendInfo {
  readonly name: BackendName;
  /** tfjs-core version, plus the backend package version where it has its own. */
  readonly version: string;
  readonly device: 'cpu' | 'cuda';
  /** Threads the backend computes with (WebAssembly: BIOMED_WASM_THREADS, default every core). */
  readonly threads: number;
  /** WebAssembly SIMD in use (false for the non-wasm backends). */
  readonly simd: boolean;
  /** Every backend tried, in order, with the reason it failed. */
  readonly available: readonly BackendProbe[];
  /** Custom kernels registered for this backend (see main/engine/kernels). */
  readonly kernels: readonly string[];
}

/** Maps user spellings (env BIOMED_BACKEND, CLI flags) to a backend name. */
export function parseBackendName(raw: string | undefined): BackendName | undefined {
  if (!raw) return undefined;
  const key = raw.trim().toLowerCase();
  const aliases: Record<string, BackendName> = {
    cpu: 'cpu',
    js: 'cpu',
    wasm: 'wasm',
    webassembly: 'wasm',
    tensorflow: 'tensorflow',
    node: 'tensorflow',
    'tfjs-node': 'tensorflow',
    'node-gpu': 'node-gpu',
    'tfjs-node-gpu': 'node-gpu',
    gpu: 'node-gpu',
    cuda: 'node-gpu',
  };
  return aliases[key];
}
