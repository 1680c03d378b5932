import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ImageError, type PreparedImage, sourceName } from '#main/data/images/prepare';
import type { MaxSide } from '#shared/domain/dataset';
import { bundledEntry } from './fork-launcher';

/** One image file to prepare in a thread (image-worker-entry.ts). */
export interface ImageTask {
  readonly id: number;
  readonly path: string;
  readonly options: { dicomFrame?: number; maxSide?: MaxSide };
}

export type ImageTaskResult =
  | { readonly id: number; readonly ok: true; readonly image: PreparedImage }
  | { readonly id: number; readonly ok: false; readonly kind: ImageError['kind']; readonly message: string };

interface Pending {
  readonly task: ImageTask;
  readonly resolve: (img: PreparedImage) => void;
  readonly reject: (err: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  busy: Pending | null;
}

/** How many image threads a pool has by default: `BIOMED_IMAGE_THREADS`, else one per core. */
export function imageThreads(): number {
  const env = process.env['BIOMED_IMAGE_THREADS'];
  const n = env === undefined || env === '' ? availableParallelism() : Number(env);
  return Number.isInteger(n) && n >= 0 ? n : availableParallelism();
}

/** A thread is stopped after this long without work (an idle pool holds no memory). */
const IDLE_MS = 30_000;

/**
 * Image files prepared (`prepareImage`: read, source hash, decode, DICOM parse and
 * de-identification, downscale, encode, hash, thumbnail) on `size` worker threads, so the CPU-bound
 * JavaScript parts (dcmjs, the DICOM windowing loop, hashing) run on every core and not on the
 * main thread. Each thread takes one file at a time; the queue is the callers' (`prepare` resolves
 * when the file is done, so a caller with N files in flight holds at most N results). Results come
 * back with their buffers transferred. A file that fails is rejected with an ImageError naming
 * the problem; a thread that dies (out of memory, a native crash reported as an error) fails only
 * the file it held and is replaced. Threads start on first use and stop when idle.
 */
export class ImagePool {
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  /** Files this pool has prepared (or failed), for tests and progress. */
  completed = 0;

  constructor(readonly size: number = imageThreads()) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`ImagePool: ${size} threads (needs 1 or more)`);
  }

  /** Prepares one image file on a thread; rejects with an ImageError when it cannot be used. */
  prepare(path: string, options: ImageTask['options']): Promise<PreparedImage> {
    if (this.closed) return Promise.reject(new Error('image pool: used after close'));
    clearTimeout(this.idle);
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, path, options }, resolve, reject });
      this.pump();
    });
  }

  /** Stops every thread (pending files are rejected). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    for (const p of this.queue.splice(0)) p.reject(new Error('image pool: closed'));
    await this.stopThreads();
  }

  private async stopThreads(): Promise<void> {
    const threads = this.threads.splice(0);
    for (const t of threads) t.busy?.reject(new Error('image pool: closed'));
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let thread = this.threads.find((t) => t.busy === null);
      if (!thread && this.threads.length < this.size) thread = this.spawn();
      if (!thread) return;
      const job = this.queue.shift()!;
      thread.busy = job;
      thread.worker.ref(); // a file in work keeps the process alive until it is done
      thread.worker.postMessage(job.task);
    }
    if (this.threads.every((t) => t.busy === null)) {
      this.idle = setTimeout(() => void this.stopThreads(), IDLE_MS);
      this.idle.unref();
    }
  }

  private spawn(): Thread {
    const entry = bundledEntry('image-worker-entry.ts', 'image-worker.js', import.meta.url);
    // From source the thread loads tsx first (worker_threads ignore `--import` in execArgv).
    const worker = entry.fromSource
      ? new Worker(
          new URL(
            `data:text/javascript,${encodeURIComponent(
              `const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))});` +
                `register(); await import(${JSON.stringify(new URL(`file://${entry.file}`).href)});`,
            )}`,
          ),
        )
      : new Worker(entry.file);
    worker.unref(); // an idle pool never keeps the process alive
    const thread: Thread = { worker, busy: null };
    worker.on('message', (r: ImageTaskResult) => {
      const job = thread.busy;
      thread.busy = null;
      worker.unref();
      this.completed++;
      if (job && job.task.id === r.id) {
        if (r.ok) job.resolve(r.image);
        else job.reject(new ImageError(r.kind, r.message));
      }
      this.pump();
    });
    const lost = (why: string) => {
      const i = this.threads.indexOf(thread);
      if (i < 0) return;
      this.threads.splice(i, 1);
      const job = thread.busy;
      thread.busy = null;
      job?.reject(
        new ImageError(
          'unreadable',
          `the decoding thread stopped on ${sourceName({ kind: 'file', path: job.task.path })} (${why})`,
        ),
      );
      void worker.terminate();
      if (!this.closed) this.pump();
    };
    worker.on('error', (err) => lost(err.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.threads.push(thread);
    return thread;
  }
}

let shared: ImagePool | null = null;

/**
 * The process's image pool (`imageThreads()` threads), or null when `BIOMED_IMAGE_THREADS` is 0
 * (every image prepared on the calling thread). Its threads start on first use and stop when idle.
 */
export function sharedImagePool(): ImagePool | null {
  const size = imageThreads();
  if (shared && shared.size !== size) {
    void shared.close();
    shared = null;
  }
  if (size === 0) return null;
  shared ??= new ImagePool(size);
  return shared;
}
