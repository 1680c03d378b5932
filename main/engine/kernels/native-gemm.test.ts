import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadNativeGemm,
  missingNativeFunctions,
  NATIVE_GEMM_FILE,
  type NativeGemmAddon,
  type NativeIsa,
  nativeGemmCandidates,
} from './native-gemm';
import { expectNativeError, randomFloats } from './test-native';

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`native-gemm.test: skipped, ${reason}`);
const suite = addon || process.env['CI'] ? describe : describe.skip;

interface Case {
  batchA: number;
  batchB: number;
  m: number;
  k: number;
  n: number;
}

/** A heap holding a, b and out (at float offsets 5, after a, after b), inputs filled. */
function heapFor(c: Case, seed: number) {
  const na = c.batchA * c.m * c.k;
  const nb = c.batchB * c.k * c.n;
  const nc = Math.max(c.batchA, c.batchB) * c.m * c.n;
  const heap = new Float32Array(5 + na + nb + nc + 3);
  heap.set(randomFloats(na + nb, seed), 5);
  return { heap, a: 5, b: 5 + na, out: 5 + na + nb, nc };
}

/** float64 reference and sum |a||b| per element (the tolerance's scale). */
function reference(heap: Float32Array, a: number, b: number, c: Case, ta: boolean, tb: boolean) {
  const { m, k, n } = c;
  const batch = Math.max(c.batchA, c.batchB);
  const ref = new Float64Array(batch * m * n);
  const mag = new Float64Array(batch * m * n);
  for (let s = 0; s < batch; s++) {
    const ao = a + (c.batchA === 1 ? 0 : s) * m * k;
    const bo = b + (c.batchB === 1 ? 0 : s) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        let abs = 0;
        for (let p = 0; p < k; p++) {
          const x = heap[ao + (ta ? p * m + i : i * k + p)]!;
          const y = heap[bo + (tb ? j * k + p : p * n + j)]!;
          acc += x * y;
          abs += Math.abs(x * y);
        }
        ref[s * m * n + i * n + j] = acc;
        mag[s * m * n + i * n + j] = abs;
      }
    }
  }
  return { ref, mag };
}

const combos = [false, true].flatMap((ta) => [false, true].map((tb) => [ta, tb] as const));

// Ragged M, N, K (not multiples of any tile), K = 1, batch broadcast both ways, and shapes past
// every blocking level: M > MC (144), K > KC (256), N > NC (3072).
const cases: Case[] = [
  { batchA: 1, batchB: 1, m: 37, k: 53, n: 29 },
  { batchA: 1, batchB: 1, m: 13, k: 1, n: 17 },
  { batchA: 3, batchB: 1, m: 7, k: 10, n: 9 },
  { batchA: 1, batchB: 4, m: 5, k: 11, n: 6 },
  { batchA: 2, batchB: 2, m: 1, k: 19, n: 3 },
  { batchA: 1, batchB: 1, m: 150, k: 300, n: 35 },
  { batchA: 1, batchB: 1, m: 3, k: 40, n: 3100 },
];

describe('native GEMM addon location', () => {
  it('is looked for beside the source, above a vite bundle and in the unpacked asar of a packaged app', () => {
    const root = '/opt/app';
    const fromSource = nativeGemmCandidates(
      pathToFileURL(join(root, 'main/engine/kernels/native-gemm.ts')).href,
    );
    expect(fromSource[0]).toBe(join(root, NATIVE_GEMM_FILE));
    const fromBundle = nativeGemmCandidates(pathToFileURL(join(root, 'build/main/chunks/cli-abc.js')).href);
    expect(fromBundle).toContain(join(root, NATIVE_GEMM_FILE));
    const proc = process as { resourcesPath?: string };
    proc.resourcesPath = '/opt/app/resources';
    try {
      const packaged = nativeGemmCandidates(
        pathToFileURL('/opt/app/resources/app.asar/build/main/worker.js').href,
      );
      expect(packaged).toContain(join('/opt/app/resources/app.asar.unpacked', NATIVE_GEMM_FILE));
    } finally {
      delete proc.resourcesPath;
    }
  });

  it('refuses an addon built from older sources (a function missing) instead of calling undefined', () => {
    const names = ['gemm', 'im2col', 'col2im', 'adamw', 'attention', 'gelu', 'geluGrad', 'info', 'configure'];
    const stale = Object.fromEntries(names.map((f) => [f, () => {}]));
    expect(missingNativeFunctions(stale)).toEqual(['dense', 'denseGrad', 'lsce', 'lsceGrad']);
    expect(missingNativeFunctions(null)).toContain('gemm');
    if (addon) expect(missingNativeFunctions(addon)).toEqual([]);
  });
});

suite('native CPU GEMM addon', () => {
  const g = addon as NativeGemmAddon;
  afterAll(() => {
    g?.configure({ isa: null, threads: 1, minParallelMacs: 1 << 20 });
  });

  it('is built and loads (npm ci builds it: scripts/build-native.mjs)', () => {
    expect(addon, reason).not.toBeNull();
    expect(g.info().supported.length).toBeGreaterThan(0);
  });

  it('matches a float64 product within 1e-5 of sum |a||b| on every kernel this CPU runs', () => {
    const isas = g.info().supported;
    expect(isas).toContain('scalar');
    for (const isa of isas) {
      g.configure({ isa, threads: 1 });
      expect(g.info().isa).toBe(isa);
      let seed = 1;
      for (const c of cases) {
        for (const [ta, tb] of combos) {
          const { heap, a, b, out, nc } = heapFor(c, seed++);
          g.gemm(heap, a, b, out, c.batchA, c.batchB, c.m, c.k, c.n, ta, tb);
          const { ref, mag } = reference(heap, a, b, c, ta, tb);
          let worst = 0;
          for (let i = 0; i < nc; i++)
            worst = Math.max(worst, Math.abs(heap[out + i]! - ref[i]!) / (mag[i]! + 1e-30));
          expect(worst, `${isa} ${JSON.stringify(c)} ta=${ta} tb=${tb}`).toBeLessThan(1e-5);
          // nothing written past out
          expect(Array.from(heap.subarray(out + nc))).toEqual([0, 0, 0]);
        }
      }
    }
  });

  it('gives the same bits on 1, 2 and 3 threads (split by batch slices, rows and columns)', () => {
    const splits: Case[] = [
      { batchA: 6, batchB: 6, m: 20, k: 30, n: 25 }, // whole slices per thread
      { batchA: 1, batchB: 1, m: 301, k: 270, n: 40 }, // rows
      { batchA: 2, batchB: 1, m: 9, k: 33, n: 700 }, // columns (folded batch, N longer)
      { batchA: 1, batchB: 2, m: 50, k: 300, n: 70 }, // few slices, each split
      { batchA: 1, batchB: 1, m: 5, k: 300, n: 40 }, // columns 32 + 8: the second on the narrow AVX-512 tile
    ];
    const isas: NativeIsa[] = g.info().supported;
    for (const isa of isas) {
      for (const c of splits) {
        for (const [ta, tb] of combos) {
          const outs: Float32Array[] = [];
          for (const threads of [1, 2, 3]) {
            g.configure({ isa, threads, minParallelMacs: 0 });
            const { heap, a, b, out, nc } = heapFor(c, 7);
            g.gemm(heap, a, b, out, c.batchA, c.batchB, c.m, c.k, c.n, ta, tb);
            outs.push(heap.slice(out, out + nc));
          }
          const label = `${isa} ${JSON.stringify(c)} ta=${ta} tb=${tb}`;
          expect(Buffer.from(outs[1]!.buffer).equals(Buffer.from(outs[0]!.buffer)), label).toBe(true);
          expect(Buffer.from(outs[2]!.buffer).equals(Buffer.from(outs[0]!.buffer)), label).toBe(true);
        }
      }
    }
  });

  it('runs every part of a split job exactly once whether its workers are awake, waking or asleep', () => {
    // 600 split products back to back with gaps of 0 to ~300 us between them: a worker may be
    // spinning, just woken (and late for its job: the caller then claims its part) or asleep.
    // A part run twice, or skipped, or run on the next job's context, changes the output's bits.
    const shapes: Case[] = [
      { batchA: 4, batchB: 4, m: 8, k: 16, n: 8 },
      { batchA: 1, batchB: 1, m: 64, k: 32, n: 16 },
      { batchA: 1, batchB: 1, m: 4, k: 32, n: 96 },
    ];
    const want = shapes.map((c) => {
      g.configure({ threads: 1, minParallelMacs: 0 });
      const { heap, a, b, out, nc } = heapFor(c, 3);
      g.gemm(heap, a, b, out, c.batchA, c.batchB, c.m, c.k, c.n, false, true);
      return heap.slice(out, out + nc);
    });
    let wrong = 0;
    for (const threads of [2, 3]) {
      g.configure({ threads, minParallelMacs: 0 });
      for (let i = 0; i < 300; i++) {
        const at = i % shapes.length;
        const c = shapes[at]!;
        const { heap, a, b, out, nc } = heapFor(c, 3);
        heap.fill(Number.NaN, out, out + nc);
        g.gemm(heap, a, b, out, c.batchA, c.batchB, c.m, c.k, c.n, false, true);
        if (!Buffer.from(heap.slice(out, out + nc).buffer).equals(Buffer.from(want[at]!.buffer))) wrong++;
        const until = performance.now() + ((i * 37) % 300) / 1000;
        while (performance.now() < until) {
          // a gap between jobs, as a training step has between its products
        }
      }
    }
    expect(wrong).toBe(0);
  });

  it('throws a NativeGemmError naming the problem on bad offsets, sizes and arguments, and keeps working', () => {
    g.configure({ isa: null, threads: 2 });
    const heap = new Float32Array(100);
    const bad = expectNativeError;
    bad(
      () => g.gemm(heap, 0, 16, 96, 1, 1, 4, 4, 4, false, false),
      'OUT_OF_BOUNDS',
      /out \[96, 112\) lies outside/,
    );
    bad(() => g.gemm(heap, 90, 0, 50, 1, 1, 4, 4, 4, false, false), 'OUT_OF_BOUNDS', /a \[90, 106\)/);
    bad(() => g.gemm(heap, 0, 16, 8, 1, 1, 4, 4, 4, false, false), 'OVERLAP', /out overlaps a/);
    bad(() => g.gemm(heap, 0, 16, 32, 2, 3, 4, 4, 4, false, false), 'BAD_SHAPE', /neither is 1/);
    bad(
      () => g.gemm(heap, -1, 16, 32, 1, 1, 4, 4, 4, false, false),
      'BAD_ARGUMENT',
      /a must be a whole number/,
    );
    bad(() => g.gemm(heap, 0.5, 16, 32, 1, 1, 4, 4, 4, false, false), 'BAD_ARGUMENT', /a must be a whole/);
    bad(() => g.gemm(heap, 0, 16, 32, 1, 1, 0, 4, 4, false, false), 'BAD_ARGUMENT', /m must be a whole/);
    bad(
      () => g.gemm(new Float64Array(100) as never, 0, 16, 32, 1, 1, 4, 4, 4, false, false),
      'BAD_ARGUMENT',
      /Float32Array/,
    );
    bad(() => (g.gemm as (...a: unknown[]) => void)(heap, 0, 16), 'BAD_ARGUMENT', /takes 11 arguments/);
    bad(() => g.configure({ isa: 'neon' as NativeIsa }), 'BAD_ARGUMENT', /isa must be/);
    bad(() => g.configure({ threads: 0 }), 'BAD_ARGUMENT', /threads must be/);
    const geo = [1, 4, 4, 2, 4, 4, 3, 3, 1, 1, 1, 1] as const; // x 32 floats, cols 288
    bad(() => g.im2col(heap, 0, 40, ...geo), 'OUT_OF_BOUNDS', /dst \[40, 328\) lies outside/);
    bad(() => g.col2im(heap, 0, 90, ...geo), 'OUT_OF_BOUNDS', /src \[0, 288\) lies outside/);
    bad(() => g.im2col(heap, 0, 40, 1, 4, 4, 2, 4, 4, 0, 3, 1, 1, 1, 1), 'BAD_ARGUMENT', /kH must be/);
    // still works after all of that
    heap.fill(1, 0, 32);
    g.gemm(heap, 0, 16, 32, 1, 1, 4, 4, 4, false, false);
    expect(Array.from(heap.subarray(32, 48))).toEqual(new Array(16).fill(4));
  });
});
