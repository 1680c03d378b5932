import { afterAll, describe, expect, it } from 'vitest';
import { loadNativeGemm, type NativeGemmAddon, type NativeIsa } from './native-gemm';
import { bits, expectNativeError, randomFloats } from './test-native';
import { sumLeadingRows } from './wasm-sum';

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`native-dense.test: skipped, ${reason}`);
const suite = addon || process.env['CI'] ? describe : describe.skip;

type Sizes = [rows: number, inp: number, out: number];

// Column sums over 1, 7 and 385 rows of 1, 17 and 64 columns; in = 1; ragged tiles; a cpu-xs
// attention projection (384 x 64 x 64, 1.6M multiply-adds each product) and its FFN (x 256).
const shapes: Sizes[] = [
  [1, 5, 1],
  [7, 1, 17],
  [7, 13, 64],
  [385, 33, 1],
  [385, 17, 17],
  [385, 64, 64],
  [384, 64, 256],
];

/** A heap [pad | dy | x | w | b | dx | dw | db | y | pad], inputs filled; float offsets. */
function heapFor([rows, inp, out]: Sizes, seed: number) {
  const n = { dy: rows * out, x: rows * inp, w: out * inp, b: out, dx: rows * inp, dw: out * inp, db: out };
  const at = { dy: 3, x: 0, w: 0, b: 0, dx: 0, dw: 0, db: 0, y: 0, end: 0 };
  at.x = at.dy + n.dy;
  at.w = at.x + n.x;
  at.b = at.w + n.w;
  at.dx = at.b + n.b;
  at.dw = at.dx + n.dx;
  at.db = at.dw + n.dw;
  at.y = at.db + n.db;
  at.end = at.y + rows * out;
  const heap = new Float32Array(at.end + 4);
  heap.set(randomFloats(at.dx - 3, seed, 2), 3);
  // exact cancellations in dy's columns: sums through -0 and 0
  if (rows > 1) heap[at.dy + out] = -heap[at.dy]!;
  return { heap, at };
}

/** The composed form on the same addon: gemm x2 (+ wasm-sum's row sums), gemm + Add in float32. */
function composed(a: NativeGemmAddon, heap: Float32Array, at: ReturnType<typeof heapFor>['at'], s: Sizes) {
  const [rows, inp, out] = s;
  const h = heap.slice();
  a.gemm(h, at.dy, at.w, at.dx, 1, 1, rows, out, inp, false, false); // dx = dy W
  a.gemm(h, at.dy, at.x, at.dw, 1, 1, out, rows, inp, true, false); // dW = dy^T x
  sumLeadingRows(h.subarray(at.dy, at.x), rows, out, h.subarray(at.db, at.db + out));
  a.gemm(h, at.x, at.w, at.y, 1, 1, rows, inp, out, false, true); // x W^T
  for (let i = 0; i < rows * out; i++) h[at.y + i] = h[at.y + i]! + h[at.b + (i % out)]!;
  return h;
}

function both(a: NativeGemmAddon, heap: Float32Array, at: ReturnType<typeof heapFor>['at'], s: Sizes) {
  a.denseGrad(heap, at.dy, at.x, at.w, at.dx, at.dw, at.db, ...s);
  a.dense(heap, at.x, at.w, at.b, at.y, ...s);
}

suite('a dense layer in one native call each way (native/src/dense.c)', () => {
  const a = addon as NativeGemmAddon;
  const before = addon?.info();
  afterAll(() => {
    if (before) a.configure({ threads: before.threads, isa: null, minParallelMacs: before.minParallelMacs });
  });

  it('gives the bits of gemm x2 + row sums and gemm + add, at 1, 2 and 3 threads, split or not, per kernel', () => {
    for (const isa of a.info().supported as NativeIsa[]) {
      for (const s of shapes) {
        a.configure({ isa, threads: 1, minParallelMacs: before!.minParallelMacs });
        const { heap, at } = heapFor(s, s[0] + s[1] * 7 + s[2] * 131);
        const want = bits(composed(a, heap, at, s));
        for (const threads of [1, 2, 3]) {
          // 0: every product split over every thread; 64K and the default: whole products, one per
          // thread, where each is under 16x the threshold (native/src/dense.h)
          for (const minParallelMacs of [0, 1 << 16, before!.minParallelMacs]) {
            a.configure({ threads, minParallelMacs });
            const h = heap.slice();
            both(a, h, at, s);
            const got = bits(h);
            const wrong = got.findIndex((v, i) => v !== want[i]);
            expect(wrong, `${isa} [${s}] threads ${threads} split from ${minParallelMacs}`).toBe(-1);
          }
        }
      }
    }
  });

  it('leaves db alone without a bias and adds none to y; runs many jobs of whole products back to back alike', () => {
    a.configure({ isa: null, threads: 1, minParallelMacs: 1 << 20 });
    const s: Sizes = [385, 64, 64];
    const { heap, at } = heapFor(s, 9);
    const want = composed(a, heap, at, s);
    a.gemm(want, at.x, at.w, at.y, 1, 1, s[0], s[1], s[2], false, true); // y without the bias
    want.set(heap.subarray(at.db, at.db + s[2]), at.db); // db untouched
    a.configure({ threads: 2 });
    for (let rep = 0; rep < 150; rep++) {
      const h = heap.slice();
      a.denseGrad(h, at.dy, at.x, at.w, at.dx, at.dw, -1, ...s);
      a.dense(h, at.x, at.w, -1, at.y, ...s);
      expect(bits(h).findIndex((v, i) => v !== bits(want)[i])).toBe(-1);
    }
  });

  it('throws a NativeGemmError for bad offsets, sizes and overlaps, and still works after', () => {
    a.configure({ isa: null, threads: 2, minParallelMacs: before!.minParallelMacs });
    const s: Sizes = [4, 3, 2];
    const { heap, at } = heapFor(s, 3);
    const end = heap.length;
    expectNativeError(
      () => a.denseGrad(heap, at.dy, at.x, at.w, end - 4, at.dw, at.db, ...s),
      'OUT_OF_BOUNDS',
      /dx \[\d+, \d+\) lies outside/,
    );
    expectNativeError(() => a.dense(heap, end, at.w, at.b, at.y, ...s), 'OUT_OF_BOUNDS', /x \[/);
    expectNativeError(() => a.dense(heap, at.x, at.w, end - 1, at.y, ...s), 'OUT_OF_BOUNDS', /bias \[/);
    expectNativeError(
      () => a.denseGrad(heap, at.dy, at.x, at.w, at.dx, at.dw, at.dy + 1, ...s),
      'OVERLAP',
      /db overlaps dy/,
    );
    expectNativeError(
      () => a.denseGrad(heap, at.dy, at.x, at.w, at.dx, at.dx + 1, at.db, ...s),
      'OVERLAP',
      /dx overlaps dw/,
    );
    expectNativeError(() => a.dense(heap, at.x, at.w, at.b, at.w + 1, ...s), 'OVERLAP', /y overlaps w/);
    expectNativeError(
      () => a.dense(heap, at.x, at.w, -2, at.y, ...s),
      'BAD_ARGUMENT',
      /bias must be a whole/,
    );
    expectNativeError(
      () => a.denseGrad(heap, at.dy, at.x, -1, at.dx, at.dw, at.db, ...s),
      'BAD_ARGUMENT',
      /w must be a whole/,
    );
    expectNativeError(() => a.dense(heap, at.x, at.w, at.b, at.y, 4, 3.5, 2), 'BAD_ARGUMENT', /in must be/);
    expectNativeError(() => a.dense(heap, at.x, at.w, at.b, at.y, -1, 3, 2), 'BAD_ARGUMENT', /rows must be/);
    expectNativeError(
      () => (a.dense as (...x: unknown[]) => void)(heap, at.x, at.w, at.b, at.y, 4, 3),
      'BAD_ARGUMENT',
      /takes 8 arguments/,
    );
    expectNativeError(
      () => a.dense(new Float64Array(8) as unknown as Float32Array, 0, 0, -1, 4, 1, 1, 1),
      'BAD_ARGUMENT',
      /Float32Array/,
    );
    const want = bits(composed(a, heap, at, s));
    both(a, heap, at, s);
    expect(bits(heap)).toEqual(want);
  });
});
