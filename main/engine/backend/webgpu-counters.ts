/**
 * Instruments tfjs' WebGPUBackend instance: every program it records (one compute dispatch each)
 * is counted, by program, and its buffer pool is bounded (tfjs keeps every freed buffer, keyed by
 * exact size, for ever: with shapes that vary by batch that pool grows without limit).
 */

interface BufferManagerLike {
  numBytesUsed: number;
  numBytesAllocated: number;
  releaseBuffer(buffer: { size: number }, reuse?: boolean): void;
}

interface BackendLike {
  bufferManager: BufferManagerLike;
  recordAndSubmit(program: { biomedKey?: string; constructor: { name: string } }, ...rest: unknown[]): void;
}

type PooledBackend = BackendLike & { biomedInstrumented?: boolean; biomedPoolLimit: number };

/** Dispatches recorded since the last reset, in total and by program name. */
export interface DispatchCounts {
  readonly total: number;
  readonly byProgram: Readonly<Record<string, number>>;
}

let total = 0;
let byProgram = new Map<string, number>();

/** Bytes of freed buffers the pool may keep for reuse (BIOMED_WEBGPU_POOL_MB, default 1024 MiB). */
export function poolLimitBytes(): number {
  const mb = Number(process.env['BIOMED_WEBGPU_POOL_MB'] ?? '');
  return (Number.isFinite(mb) && mb >= 0 && process.env['BIOMED_WEBGPU_POOL_MB'] ? mb : 1024) * 2 ** 20;
}

/** Our programs carry their spec key (kernels/webgpu/program.ts); tfjs' own are named by class. */
function programName(p: { biomedKey?: string; constructor: { name: string } }): string {
  return p.biomedKey ? `biomed:${p.biomedKey}` : p.constructor.name;
}

/** Wraps a fresh backend (idempotent per instance); returns it. */
export function instrumentWebgpuBackend<T>(backend: T, poolLimit = poolLimitBytes()): T {
  const b = backend as unknown as PooledBackend;
  if (b.biomedInstrumented) return backend;
  b.biomedInstrumented = true;
  b.biomedPoolLimit = poolLimit;
  const record = b.recordAndSubmit.bind(b);
  b.recordAndSubmit = (program, ...rest) => {
    total++;
    const name = programName(program);
    byProgram.set(name, (byProgram.get(name) ?? 0) + 1);
    record(program, ...rest);
  };
  const pool = b.bufferManager;
  const release = pool.releaseBuffer.bind(pool);
  pool.releaseBuffer = (buffer, reuse = true) => {
    // free = allocated - used; destroy instead of pooling once the pool would exceed its bound
    const free = pool.numBytesAllocated - pool.numBytesUsed;
    release(buffer, reuse && free + buffer.size <= b.biomedPoolLimit);
  };
  return backend;
}

/** Sets the pool bound of an instrumented backend (tests); returns the previous bound. */
export function setWebgpuPoolLimit(backend: unknown, bytes: number): number {
  const b = backend as PooledBackend;
  if (!b.biomedInstrumented) throw new Error('setWebgpuPoolLimit: the backend is not instrumented');
  const before = b.biomedPoolLimit;
  b.biomedPoolLimit = bytes;
  return before;
}

/** Dispatches since the last reset (all WebGPU backends of this process). */
export function webgpuDispatches(): DispatchCounts {
  return { total, byProgram: Object.fromEntries(byProgram) };
}

/** Starts counting afresh. */
export function resetWebgpuDispatches(): void {
  total = 0;
  byProgram = new Map();
}

/** Dispatches per train step, for the run's backend line: see {@link stepDispatchTracker}. */
export interface StepDispatchTracker {
  /** Call after each step: the step's dispatches, once (the first step after a clean one), else undefined. */
  step(): number | undefined;
  /** Call when other work (validation, a checkpoint) ran since the last step: that interval is not counted. */
  interrupt(): void;
}

/**
 * Counts the dispatches between two consecutive steps with nothing else in between (not the
 * first step, whose count includes one-off work such as creating the Adam moments) and reports
 * that figure once. `count` reads the running total (default: this process's WebGPU counter).
 */
export function stepDispatchTracker(count: () => number = () => total): StepDispatchTracker {
  let last: number | undefined;
  let reported = false;
  return {
    step() {
      const now = count();
      const n = last !== undefined && !reported ? now - last : undefined;
      last = now;
      if (n !== undefined) reported = true;
      return n;
    },
    interrupt() {
      last = undefined;
    },
  };
}
