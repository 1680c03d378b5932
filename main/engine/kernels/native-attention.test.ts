import { afterAll, describe, expect, it } from 'vitest';
import { biasStrides } from './attention-probs';
import { loadNativeGemm, type NativeGemmAddon } from './native-gemm';
import { randomFloats } from './test-native';

const { addon, reason } = loadNativeGemm();
// In CI the addon must have been built by `npm ci` (scripts/postinstall.mjs): no skipping there.
if (!addon && !process.env['CI']) console.warn(`native-attention.test: skipped, ${reason}`);
const suite = addon || process.env['CI'] ? describe : describe.skip;

type Four = [number, number, number, number];

interface Case {
  what: string;
  size: Four; // B, H, T, S
  bias: number[]; // broadcast to [B, H, T, S]
  mult: boolean;
}

// Key-padding mask [B, 1, 1, S] (with -1e9 entries), position bias [H, T, S], a full [B, H, T, S]
// bias, a bias broadcast along S ([B, H, T, 1]), a shared [1, 1, T, S] one; ragged sizes, S = 1.
const cases: Case[] = [
  { what: 'key-padding mask + dropout', size: [2, 3, 5, 7], bias: [2, 1, 1, 7], mult: true },
  { what: 'position bias [H, T, S]', size: [2, 3, 5, 7], bias: [3, 5, 7], mult: false },
  { what: 'full bias + dropout', size: [1, 2, 9, 33], bias: [1, 2, 9, 33], mult: true },
  { what: 'bias along rows only', size: [3, 1, 4, 6], bias: [3, 1, 4, 1], mult: true },
  { what: 'shared [1, 1, T, S], S = 1', size: [2, 2, 3, 1], bias: [1, 1, 3, 1], mult: false },
  { what: 'many rows', size: [4, 4, 32, 40], bias: [4, 1, 1, 40], mult: true },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A heap [pad | scores | bias | mult | dp | out | pad], inputs filled; offsets in floats. */
function heapFor(c: Case, seed: number) {
  const n = size(c.size);
  const nb = size(c.bias);
  const at = { scores: 3, bias: 3 + n, mult: 3 + n + nb, dp: 3 + 2 * n + nb, out: 3 + 3 * n + nb };
  const heap = new Float32Array(at.out + n + 5);
  heap.set(randomFloats(n, seed, 4), at.scores);
  const bias = randomFloats(nb, seed + 1, 2);
  // a masked key in the key-padding case: -1e9 as keyPaddingMask writes it
  if (c.bias[2] === 1 && c.bias[0] !== 1)
    for (let b = 0; b < c.bias[0]!; b++) bias[(b * nb) / c.bias[0]!] = -1e9;
  heap.set(bias, at.bias);
  if (c.mult)
    heap.set(
      randomFloats(n, seed + 2).map((u) => (u > -0.8 ? 1 / 0.9 : 0)),
      at.mult,
    );
  heap.set(randomFloats(n, seed + 3), at.dp);
  return { heap, at, n };
}

/** float64 probs (before mult), probs * mult and d(scores). */
function reference(heap: Float32Array, at: ReturnType<typeof heapFor>['at'], c: Case) {
  const [B, H, T, S] = c.size;
  const bs = biasStrides(c.bias);
  const n = size(c.size);
  const probs = new Float64Array(n);
  const grad = new Float64Array(n);
  for (let r = 0; r < B * H * T; r++) {
    const [b, h, t] = [Math.floor(r / (H * T)), Math.floor(r / T) % H, r % T];
    const x = Array.from(
      { length: S },
      (_, j) =>
        heap[at.scores + r * S + j]! + heap[at.bias + b * bs[0]! + h * bs[1]! + t * bs[2]! + j * bs[3]!]!,
    );
    const max = Math.max(...x);
    const e = x.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, v) => a + v, 0);
    const m = (j: number) => (c.mult ? heap[at.mult + r * S + j]! : 1);
    const g = e.map((_, j) => heap[at.dp + r * S + j]! * m(j));
    const dot = e.reduce((a, v, j) => a + (v / sum) * g[j]!, 0);
    for (let j = 0; j < S; j++) {
      const y = e[j]! / sum;
      probs[r * S + j] = y * m(j);
      grad[r * S + j] = y * (g[j]! - dot);
    }
  }
  return { probs, grad };
}

function call(
  a: NativeGemmAddon,
  heap: Float32Array,
  at: ReturnType<typeof heapFor>['at'],
  c: Case,
  grad: boolean,
  out = at.out,
) {
  const ms: Four = c.mult ? (biasStrides(c.size) as Four) : [0, 0, 0, 0];
  a.attention(
    heap,
    at.scores,
    at.bias,
    c.mult ? at.mult : -1,
    grad ? at.dp : -1,
    out,
    ...c.size,
    ...(biasStrides(c.bias) as Four),
    ...ms,
  );
}

suite('native attention probabilities (native/src/attention.c)', () => {
  const a = addon as NativeGemmAddon;
  const before = addon?.info();
  afterAll(() => {
    if (before)
      a.configure({ threads: before.threads, isa: null, minParallelElems: before.minParallelElems });
  });

  it('is built and loads', () => {
    expect(addon, reason).not.toBeNull();
  });

  for (const c of cases) {
    it(`matches a float64 reference, forward and gradient, on every kernel this CPU runs: ${c.what}`, () => {
      for (const isa of before?.supported ?? []) {
        a.configure({ threads: 1, isa });
        const { heap, at, n } = heapFor(c, 11);
        const inputs = heap.slice(0, at.out);
        const ref = reference(heap, at, c);
        for (const [grad, want] of [
          [false, ref.probs],
          [true, ref.grad],
        ] as const) {
          call(a, heap, at, c, grad);
          let worst = 0;
          // probabilities are <= 1.12 (mult), |d(scores)| <= ~2 here; measured worst 2.0e-7: 1e-6 is ~8 float32 ulps of 1
          for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(heap[at.out + i]! - want[i]!));
          expect(worst, `${isa} ${grad ? 'gradient' : 'forward'}`).toBeLessThan(1e-6);
        }
        expect(heap.slice(0, at.out), isa).toEqual(inputs); // the inputs untouched
        expect([...heap.slice(at.out + n)], isa).toEqual([0, 0, 0, 0, 0]); // nothing written past out
      }
    });
  }

  it('gives the same bits at 1, 2 and 3 threads, and in place on the scores, per kernel', () => {
    for (const [isa, c] of (before?.supported ?? []).flatMap((i) => cases.map((x) => [i, x] as const))) {
      a.configure({ isa });
      for (const grad of [false, true]) {
        const runs = [1, 2, 3].map((threads) => {
          a.configure({ threads, minParallelElems: 0 });
          const { heap, at, n } = heapFor(c, 5);
          call(a, heap, at, c, grad);
          return heap.slice(at.out, at.out + n);
        });
        expect(runs[1], `${isa} ${c.what} 2 threads`).toEqual(runs[0]);
        expect(runs[2], `${isa} ${c.what} 3 threads`).toEqual(runs[0]);
        const { heap, at, n } = heapFor(c, 5);
        call(a, heap, at, c, grad, at.scores);
        expect(heap.slice(at.scores, at.scores + n), `${isa} ${c.what} in place`).toEqual(runs[0]);
      }
    }
  });

  it('throws NativeGemmError for bad offsets, sizes, strides and overlaps, and still works after', () => {
    const c = cases[0]!;
    const { heap, at } = heapFor(c, 3);
    const sizes = c.size;
    const bs = biasStrides(c.bias) as Four;
    const zero: Four = [0, 0, 0, 0];
    const bad: Array<[string, () => void]> = [
      [
        'OUT_OF_BOUNDS',
        () => a.attention(heap, at.scores, at.bias, -1, -1, heap.length - 10, ...sizes, ...bs, ...zero),
      ],
      [
        'OUT_OF_BOUNDS',
        () => a.attention(heap, at.scores, at.bias, -1, -1, at.out, ...sizes, 0, 0, 0, heap.length, ...zero),
      ],
      [
        'OUT_OF_BOUNDS',
        () => a.attention(heap, at.scores, at.bias, heap.length, -1, at.out, ...sizes, ...bs, 1, 1, 1, 1),
      ],
      [
        'OVERLAP',
        () => a.attention(heap, at.scores, at.bias, -1, -1, at.scores + 1, ...sizes, ...bs, ...zero),
      ],
      ['OVERLAP', () => a.attention(heap, at.scores, at.bias, -1, at.out, at.out, ...sizes, ...bs, ...zero)],
      ['OVERLAP', () => a.attention(heap, at.scores, at.out, -1, -1, at.out, ...sizes, ...bs, ...zero)],
      [
        'BAD_ARGUMENT',
        () => a.attention(heap, at.scores, at.bias, -1, -1, at.out, 0, 1, 1, 1, ...bs, ...zero),
      ],
      ['BAD_ARGUMENT', () => a.attention(heap, at.scores, at.bias, -2, -1, at.out, ...sizes, ...bs, ...zero)],
      [
        'BAD_ARGUMENT',
        () => a.attention(heap, at.scores, at.bias, -1, -1, at.out, ...sizes, -1, 0, 0, 0, ...zero),
      ],
      ['BAD_ARGUMENT', () => a.attention(heap, 0.5, at.bias, -1, -1, at.out, ...sizes, ...bs, ...zero)],
      [
        'BAD_ARGUMENT',
        () =>
          (a.attention as (...x: unknown[]) => void)(
            new Float64Array(9),
            0,
            0,
            -1,
            -1,
            0,
            1,
            1,
            1,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
          ),
      ],
      ['BAD_ARGUMENT', () => (a.attention as (...x: unknown[]) => void)(heap, at.scores)],
    ];
    for (const [code, f] of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, code).toBeInstanceOf(Error);
      expect((err as Error).name).toBe('NativeGemmError');
      expect((err as { code?: string }).code).toBe(`BIOMED_NATIVE_GEMM_${code}`);
    }
    expect(() => a.configure({ minParallelElems: -1 })).toThrow(/minParallelElems/);
    a.configure({ threads: 1, isa: null });
    call(a, heap, at, c, false);
    const ref = reference(heap, at, c);
    expect(Math.abs(heap[at.out]! - ref.probs[0]!)).toBeLessThan(1e-6);
  });
});
