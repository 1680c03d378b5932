/** A TensorFlow.js backend this engine knows how to load, best first. */
export type BackendName = 'node-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** Preference order used when nothing is forced. */
export const BACKEND_ORDER: readonly BackendName[] = ['node-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** What the WebGPU adapter says about itself (GPUAdapterInfo plus the limits the engine uses). */
export interface GpuAdapterInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU or software implementation (SwiftShader, llvmpipe): never chosen automatically. */
  readonly software: boolean;
  /** Device limits, in bytes where they are sizes (the device is created with the adapter's largest). */
  readonly limits: {
    readonly maxBufferSize: number;
    readonly maxStorageBufferBindingSize: number;
    readonly maxStorageBuffersPerShaderStage: number;
    readonly maxComputeWorkgroupStorageSize: number;
    readonly maxComputeInvocationsPerWorkgroup: number;
  };
}

/** One line naming an adapter, e.g. "NVIDIA H200 (nvidia hopper)" or "SwiftShader driver 5.0.0 (google swiftshader, software)". */
export function adapterLine(a: GpuAdapterInfo): string {
  const name = a.description || a.device || 'unnamed adapter';
  const tags = [[a.vendor, a.architecture].filter(Boolean).join(' '), a.software ? 'software' : '']
    .filter(Boolean)
    .join(', ');
  const mib = (n: number) => `${Math.round(n / 2 ** 20)} MiB`;
  return `${name}${tags ? ` (${tags})` : ''}; max buffer ${mib(a.limits.maxBufferSize)}, max storage binding ${mib(a.limits.maxStorageBufferBindingSize)}`;
}

/** Outcome of trying one backend. */
export interface BackendProbe {
  readonly name: BackendName;
  readonly ok: boolean;
  /** Why it was not usable (missing package, broken binary, setBackend refused). */
  readonly reason?: string;
  /** The adapter found (webgpu), also when it was not chosen (a software one). */
  readonly adapter?: GpuAdapterInfo;
}

/** The backend the engine runs on, recorded with every run. */
export interface BackendInfo {
  readonly name: BackendName;
  /** tfjs-core version, plus the backend package version where it has its own. */
  readonly version: string;
  readonly device: 'cpu' | 'cuda' | 'gpu';
  /** Threads the backend computes with (WebAssembly: BIOMED_WASM_THREADS, default 1). */
  readonly threads: number;
  /** WebAssembly SIMD in use (false for the non-wasm backends). */
  readonly simd: boolean;
  /** Every backend tried, in order, with the reason it failed. */
  readonly available: readonly BackendProbe[];
  /** The WebGPU adapter in use (backend 'webgpu' only). */
  readonly adapter?: GpuAdapterInfo;
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
    webgpu: 'webgpu',
    dawn: 'webgpu',
  };
  return aliases[key];
}
