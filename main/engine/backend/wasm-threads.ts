import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Multithreaded WebAssembly under Node for @tensorflow/tfjs-backend-wasm 4.22.0.
 *
 * tfjs ships a threaded SIMD build (XNNPACK's thread pool over shared memory) but keeps it off
 * under Node (flags_wasm.ts returns false for WASM_HAS_MULTITHREAD_SUPPORT when IS_NODE, tfjs
 * issue #3830): its Emscripten glue starts each pthread worker from a Blob URL, which Node's
 * worker_threads rejects (ERR_WORKER_PATH), and the worker code it would run expects browser
 * globals. This shim, used only while the backend initialises:
 *  1. sets WASM_HAS_MULTITHREAD_SUPPORT and the thread count;
 *  2. intercepts the global `Worker` that the glue assigns (`commonjsGlobal.Worker =
 *     worker_threads.Worker`) and constructs its workers as `new Worker(BOOTSTRAP, { eval: true })`;
 *  3. BOOTSTRAP is Emscripten's pthread worker (its `worker.js` for this build) written for Node:
 *     it reads the factory source that the glue posts as a Blob (mainScriptUrlOrBlob) and defines
 *     the free names the rollup bundle's factory refers to (require$$0.., commonjsGlobal).
 * Nothing in node_modules is changed. The shim is written against one tfjs version and refuses
 * any other (see {@link WASM_THREADS_TFJS_VERSION}); the stock kernels' results are unchanged
 * (backend/wasm-threads.test.ts).
 */

/** The tfjs-backend-wasm version whose Emscripten glue this shim was written for. */
export const WASM_THREADS_TFJS_VERSION = '4.22.0';

/** The threaded build's most threads: 8 pthread workers made at start-up, backend.cc's cap. */
export const WASM_MAX_THREADS = 8;

// Runs inside each worker_threads worker (CommonJS, eval'd). Mirrors the stock worker.js of the
// threaded build message for message: load, run, cancel, processProxyingQueue.
const BOOTSTRAP = String.raw`'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
// Free names of the rollup bundle that the factory's source (Function.prototype.toString) uses.
Object.assign(globalThis, {
  require$$0: fs,
  require$$1: require('node:path'),
  require$$3: require('node:perf_hooks'),
  require$$4: require('node:os'),
  commonjsGlobal: globalThis,
  _scriptDir: undefined,
  self: globalThis,
  require,
  importScripts: (f) => (0, eval)(fs.readFileSync(f, 'utf8') + '//# sourceURL=' + f),
  postMessage: (msg) => parentPort.postMessage(msg),
});
let Module = {};
let initializedJS = false;
let pendingQueues = [];
let loading = Promise.resolve();
globalThis.startWorker = (instance) => {
  Module = instance;
  postMessage({ cmd: 'loaded' });
};
async function load(d) {
  Module.wasmModule = d.wasmModule;
  for (const handler of d.handlers) {
    Module[handler] = (...args) => postMessage({ cmd: 'callHandler', handler, args });
  }
  Module.wasmMemory = d.wasmMemory;
  Module.buffer = Module.wasmMemory.buffer;
  Module.ENVIRONMENT_IS_PTHREAD = true;
  Module.instantiateWasm = (info, receiveInstance) => {
    const instance = new WebAssembly.Instance(Module.wasmModule, info);
    receiveInstance(instance);
    Module.wasmModule = null;
    return instance.exports;
  };
  const src = typeof d.urlOrBlob === 'string' ? fs.readFileSync(d.urlOrBlob, 'utf8') : await d.urlOrBlob.text();
  (0, eval)(src);
  globalThis.WasmBackendModuleThreadedSimd(Module);
}
function run(d) {
  Module.__emscripten_thread_init(d.pthread_ptr, 0, 0, 1);
  Module.establishStackSpace();
  Module.PThread.receiveObjectTransfer(d);
  Module.PThread.threadInitTLS();
  if (!initializedJS) {
    for (const q of pendingQueues) Module.executeNotifiedProxyingQueue(q);
    pendingQueues = [];
    initializedJS = true;
  }
  try {
    Module.invokeEntryPoint(d.start_routine, d.arg);
  } catch (ex) {
    if (ex === 'unwind') return;
    if (!(ex instanceof Module.ExitStatus)) throw ex;
    if (!Module.keepRuntimeAlive()) Module.__emscripten_thread_exit(ex.status);
  }
}
function handle(d) {
  if (d.cmd === 'run') run(d);
  else if (d.cmd === 'cancel') {
    if (Module._pthread_self()) Module.__emscripten_thread_exit(-1);
  } else if (d.cmd === 'processProxyingQueue') {
    if (initializedJS) Module.executeNotifiedProxyingQueue(d.queue);
    else pendingQueues.push(d.queue);
  } else if (d.target !== 'setimmediate' && d.cmd) {
    fs.writeSync(2, 'tfjs wasm pthread: unknown command ' + d.cmd + '\n');
  }
}
parentPort.on('message', (d) => {
  // Messages after 'load' wait for it: the factory source arrives as a Blob, read asynchronously.
  if (d.cmd === 'load') loading = load(d);
  else loading = loading.then(() => handle(d));
  loading.catch((ex) => {
    if (Module.__emscripten_thread_crashed) Module.__emscripten_thread_crashed();
    throw ex;
  });
});
`;

const require = createRequire(import.meta.url);

/** The installed tfjs-backend-wasm version. */
export function installedWasmVersion(): string {
  return (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
}

/**
 * Why threads cannot be used with this tfjs-backend-wasm, or undefined when they can.
 * @param version installed tfjs-backend-wasm version
 */
export function threadsUnsupportedReason(version = installedWasmVersion()): string | undefined {
  if (version !== WASM_THREADS_TFJS_VERSION) {
    return `the worker shim was written for tfjs-backend-wasm ${WASM_THREADS_TFJS_VERSION}, found ${version}`;
  }
  if (typeof SharedArrayBuffer !== 'function') return 'SharedArrayBuffer is not available';
  return undefined;
}

/** A worker_threads Worker that starts tfjs' pthread workers from BOOTSTRAP instead of a Blob URL. */
class PthreadWorker extends NodeWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    if (typeof url === 'string' && url.startsWith('blob:')) {
      if (url !== 'blob:') URL.revokeObjectURL(url); // the glue's Blob of the browser worker.js: not needed
      super(BOOTSTRAP, { eval: true, execArgv: [] });
    } else {
      super(url, options);
    }
  }

  /**
   * The glue refs a worker while it runs a pthread; XNNPACK's pool threads run until the module
   * is disposed, so the process would never exit. They stay unref'd: like daemon threads.
   */
  override ref(): void {}
}

/**
 * A pool worker that no pthread has used yet. The glue starts 8 pthread workers (its
 * PTHREAD_POOL_SIZE) whatever the thread count, each a V8 isolate with its own instance of the
 * module (~8-10 MB RSS each), while XNNPACK runs threads - 1 of them. This stand-in answers the
 * glue's 'load' itself and starts the real worker (replaying 'load') only when another message
 * comes, i.e. when a pthread is actually run on it; the real worker's own 'loaded' is not passed on.
 */
class LazyPthreadWorker extends EventEmitter {
  private real: NodeWorker | undefined;
  private loadMessage: unknown;

  postMessage(msg: { cmd?: string } | undefined, transfer?: readonly Transferable[]): void {
    if (!this.real && msg?.cmd === 'load') {
      this.loadMessage = msg;
      setImmediate(() => this.emit('message', { cmd: 'loaded' }));
      return;
    }
    this.start().postMessage(msg, transfer as never);
  }

  private start(): NodeWorker {
    if (this.real) return this.real;
    const w = new PthreadWorker('blob:', undefined);
    let loadedSeen = this.loadMessage === undefined;
    w.on('message', (d: { cmd?: string } | undefined) => {
      if (!loadedSeen && d?.cmd === 'loaded') loadedSeen = true;
      else this.emit('message', d);
    });
    w.on('error', (e) => this.emit('error', e));
    w.on('exit', (code) => this.emit('exit', code));
    if (this.loadMessage !== undefined) w.postMessage(this.loadMessage);
    this.real = w;
    return w;
  }

  terminate(): Promise<number> {
    return this.real ? this.real.terminate() : Promise.resolve(0);
  }

  ref(): void {}

  unref(): void {}
}

/**
 * The `Worker` the glue sees. Its pool is a stack (getNewWorker pops the last one made), so the
 * last `eager` of the WASM_MAX_THREADS pool workers are real and run XNNPACK's threads, the first
 * ones start lazily (a real worker must be up before the main thread waits on it: a worker
 * started while the main thread blocks in Atomics.wait would never come up), and any worker made
 * beyond the pool is real.
 */
function poolWorkerClass(eager: number): unknown {
  let made = 0;
  return function poolWorker(url: string | URL, options?: WorkerOptions): unknown {
    if (typeof url !== 'string' || !url.startsWith('blob:')) return new NodeWorker(url, options);
    return made++ >= WASM_MAX_THREADS - eager ? new PthreadWorker(url, options) : new LazyPthreadWorker();
  };
}

/**
 * Runs `init` (the backend's initialisation) with the threaded build enabled: `threads` XNNPACK
 * threads, its pthread workers started by the Node bootstrap. Restores the global `Worker`
 * afterwards. The caller checks {@link threadsUnsupportedReason} first.
 */
export async function withWasmThreads<T>(
  threads: number,
  setThreadsCount: (n: number) => void,
  init: () => Promise<T>,
): Promise<T> {
  // backend.cc caps the pool at emscripten_num_logical_cores() / 2 (it assumes two hyper-threads
  // per core), read once by a static initialiser; under Node that is os.cpus().length, so a
  // 2-vCPU machine would get one thread. Report 2 x threads logical cores while initialising.
  const os = require('node:os') as { cpus: () => unknown[] };
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: 2 * threads }, (_, i) => cpus()[i % cpus().length]);
  const g = globalThis as { Worker?: unknown };
  const had = Object.getOwnPropertyDescriptor(g, 'Worker');
  let assigned: unknown = had?.value;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  const PoolWorker = poolWorkerClass(threads - 1);
  Object.defineProperty(g, 'Worker', {
    configurable: true,
    get: () => PoolWorker,
    set: (v: unknown) => {
      assigned = v; // the glue's `commonjsGlobal.Worker = worker_threads.Worker`
    },
  });
  try {
    return await init();
  } finally {
    os.cpus = cpus;
    if (had) Object.defineProperty(g, 'Worker', had);
    else if (assigned !== undefined) g.Worker = assigned;
    else delete g.Worker;
  }
}
