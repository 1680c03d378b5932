import { Worker } from 'node:worker_threads';

/**
 * The engine's GEMM on more than one core: `threads - 1` worker_threads, each with its own
 * instance of the shared-memory build of wasm-gemm/gemm.c over ONE WebAssembly.Memory (shared:
 * a SharedArrayBuffer), and the calling thread as thread 0.
 *
 * The tfjs single-threaded module's heap is not shared and cannot be (the module defines its own
 * memory), so a worker's share of a product travels through the pool's memory: the caller copies
 * the worker's rows of A (or its batch slices) and B in, the worker packs B and multiplies, the
 * caller copies the worker's C rows back, while it computes its own share in place on the tfjs heap.
 *
 * Work is split by whole output rows (a product whose b is shared across the batch: rows of the
 * folded [batch * M, K] A) or by whole batch slices; every output element is the same sequence
 * of multiply-adds over k whoever computes it, so results are bit for bit those of one thread.
 * No spinning: workers sleep in `Atomics.wait` on a job counter; the caller sleeps in
 * `Atomics.wait` on a done counter.
 */

/** What a share of a product is: `count` products out[i] = a[i] B[i] (strides 0 broadcast). */
export interface GemmShare {
  readonly count: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transposeB: boolean;
  /** float offsets of share i's first float in the source arrays, one per product */
  readonly aStride: number; // floats between a[i] and a[i+1]; 0 = one a for all
  readonly bStride: number; // 0 = one b for all
}

// Control block (Int32, its own SharedArrayBuffer): [0] job sequence, [1] stop flag, [2] done
// count, [3] error count, then per worker SLOT ints from HEADER.
const HEADER = 8;
const SLOT = 12;
// slot fields: a, b, bp, c (byte offsets in the pool memory), count, m, k, n, transposeB,
// aStride, bStride (floats), active (0: nothing for this worker in this job)
const WAIT_MS = 120_000;

// Runs in each worker (CommonJS, eval'd): one wasm instance on the shared memory, one job loop.
const WORKER = `'use strict';
const { workerData } = require('node:worker_threads');
const { module, memory, control, index } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(control);
const base = ${HEADER} + index * ${SLOT};
let seq = 0;
for (;;) {
  Atomics.wait(c, 0, seq);
  seq = Atomics.load(c, 0);
  if (Atomics.load(c, 1) !== 0) break;
  if (c[base + 11] !== 0) {
    try {
      const a = c[base], b = c[base + 1], bp = c[base + 2], out = c[base + 3];
      const count = c[base + 4], m = c[base + 5], k = c[base + 6], n = c[base + 7];
      const pack = c[base + 8] !== 0 ? ex.bw_pack_bt : ex.bw_pack_b;
      const as = c[base + 9], bs = c[base + 10];
      for (let i = 0; i < count; i++) {
        if (i === 0 || bs !== 0) pack(b + 4 * i * bs, k, n, bp);
        ex.bw_gemm(a + 4 * i * as, bp, out + 4 * i * m * n, m, k, n);
      }
    } catch (e) {
      Atomics.add(c, 3, 1);
    }
  }
  Atomics.add(c, 2, 1);
  Atomics.notify(c, 2);
}
`;

interface PoolExports {
  bw_packed_size(k: number, n: number): number;
}

/** One share for a worker: where its inputs come from in the caller's heap and where C goes. */
export interface WorkerShare extends GemmShare {
  /** copies the share's a (aFloats floats), b (bFloats) into the pool memory at the given float offsets */
  readonly aFloats: number;
  readonly bFloats: number;
  readonly copyIn: (pool: Float32Array, aAt: number, bAt: number) => void;
  /** copies the share's C (count * m * n floats at cAt) back to the caller's heap */
  readonly copyOut: (pool: Float32Array, cAt: number) => void;
}

const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB of address space reserved, grown on demand

export class GemmPool {
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  private readonly control: Int32Array;
  private readonly workers: Worker[] = [];
  private readonly sizes: PoolExports;
  private closed = false;

  constructor(module: WebAssembly.Module, threads: number) {
    if (!Number.isInteger(threads) || threads < 2)
      throw new Error(`GemmPool: ${threads} threads (needs 2 or more)`);
    this.threads = threads;
    this.memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    this.control = new Int32Array(new SharedArrayBuffer(4 * (HEADER + SLOT * threads)));
    this.sizes = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as PoolExports;
    for (let index = 0; index < threads - 1; index++) {
      const w = new Worker(WORKER, {
        eval: true,
        workerData: { module, memory: this.memory, control: this.control.buffer, index },
      });
      w.unref(); // an idle pool never keeps the process alive
      this.workers.push(w);
    }
  }

  /**
   * Runs `shares[w]` on worker w (undefined: nothing for it) while `own` (the caller's share,
   * computed in place) runs here; returns once every worker is done and its C is copied back.
   */
  run(shares: readonly (WorkerShare | undefined)[], own: () => void): void {
    if (this.closed) throw new Error('wasm GEMM pool: used after close');
    if (shares.length > this.workers.length) throw new Error('wasm GEMM pool: more shares than workers');
    const c = this.control;
    // Lay out each active share in the pool memory: [a | b | packed b | c], 16-byte aligned.
    const layout: { a: number; b: number; bp: number; c: number }[] = [];
    let at = 64; // bytes
    const take = (floats: number) => {
      const off = at;
      at += Math.ceil((4 * floats) / 16) * 16;
      return off;
    };
    for (const s of shares) {
      if (!s) {
        layout.push({ a: 0, b: 0, bp: 0, c: 0 });
        continue;
      }
      const a = take(s.aFloats);
      const b = take(s.bFloats);
      const bp = take(this.sizes.bw_packed_size(s.k, s.n));
      layout.push({ a, b, bp, c: take(s.count * s.m * s.n) });
    }
    if (at > this.memory.buffer.byteLength) {
      const pages = Math.ceil((at - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + pages > MAX_PAGES) {
        throw new Error(
          `wasm GEMM pool: a share of ${at} bytes exceeds the pool's ${MAX_PAGES * PAGE} bytes`,
        );
      }
      this.memory.grow(pages);
    }
    const heap = new Float32Array(this.memory.buffer);
    let active = 0;
    for (let w = 0; w < this.workers.length; w++) {
      const s = shares[w];
      const base = HEADER + w * SLOT;
      c[base + 11] = 0;
      if (!s) continue;
      const l = layout[w]!;
      s.copyIn(heap, l.a / 4, l.b / 4);
      c.set(
        [l.a, l.b, l.bp, l.c, s.count, s.m, s.k, s.n, s.transposeB ? 1 : 0, s.aStride, s.bStride, 1],
        base,
      );
      active++;
    }
    Atomics.store(c, 2, 0);
    Atomics.store(c, 3, 0);
    if (active > 0) {
      Atomics.add(c, 0, 1);
      Atomics.notify(c, 0);
    }
    let ownError: unknown;
    try {
      own();
    } catch (e) {
      ownError = e;
    }
    if (active > 0) {
      const want = this.workers.length;
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const done = Atomics.load(c, 2);
        if (done >= want) break;
        if (Date.now() > deadline) throw new Error('wasm GEMM pool: a worker did not finish within 120 s');
        Atomics.wait(c, 2, done, 1000);
      }
    }
    if (ownError !== undefined) throw ownError;
    if (Atomics.load(c, 3) !== 0) throw new Error('wasm GEMM pool: a worker failed its share of a product');
    for (let w = 0; w < shares.length; w++) {
      const s = shares[w];
      if (s) s.copyOut(heap, layout[w]!.c / 4);
    }
  }

  /** Stops the workers (they exit at their next wake-up). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, 1, 1);
    Atomics.add(this.control, 0, 1);
    Atomics.notify(this.control, 0);
  }
}

/** Whether this thread may block in Atomics.wait (Node: yes; a browser's main thread: no). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
