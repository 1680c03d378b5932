import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { type ConvGeometry, tfjsConvGeometry } from './conv2d';
import { cpuGemm, setCpuGemmKind } from './cpu-gemm';
import { loadNativeGemm } from './native-gemm';
import { col2im, im2colTransposed } from './wasm-conv-backprop';
import type { WasmBackendLike } from './wasm-views';

type Case = { x: number[]; k: number; o: number; stride: 1 | 2; pad: number | 'same' | 'valid' };
const cases: Case[] = [
  { x: [2, 13, 11, 3], k: 7, o: 5, stride: 2, pad: 3 }, // ResNet stem, odd sizes
  { x: [2, 8, 8, 4], k: 3, o: 6, stride: 1, pad: 1 },
  { x: [1, 9, 9, 4], k: 3, o: 4, stride: 2, pad: 1 },
  { x: [3, 6, 6, 5], k: 1, o: 7, stride: 2, pad: 0 },
  { x: [2, 5, 6, 8], k: 1, o: 3, stride: 1, pad: 0 }, // pointwise: no im2col
  { x: [1, 7, 5, 2], k: 3, o: 3, stride: 2, pad: 'same' },
];

/** Output, dx and dW of sum(conv2d(x, w) * r) on the current backend. */
function run(c: Case): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x as [number, number, number, number], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([c.k, c.k, c.x[3]!, c.o], 0, 1, 'float32', 2) as tf.Tensor4D;
    const pad =
      typeof c.pad === 'number'
        ? ([
            [0, 0],
            [c.pad, c.pad],
            [c.pad, c.pad],
            [0, 0],
          ] as [[number, number], [number, number], [number, number], [number, number]])
        : c.pad;
    const y = tf.conv2d(x, w, c.stride, pad);
    const r = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
    const [dx, dw] = tf.grads(
      (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, pad), r)) as tf.Scalar,
    )([x, w]);
    return [y, dx!, dw!].map((t) => Array.from(t.dataSync()));
  });
}

describe('wasm conv2d gradients (Conv2DBackpropFilter / Conv2DBackpropInput)', () => {
  it('match the JS backend for stem, 3x3, strided, 1x1 and same-padded convolutions (native and wasm GEMM)', async () => {
    await initBackend({ prefer: 'cpu', strict: true });
    const expected = cases.map(run);
    const info = await initBackend({ prefer: 'wasm', strict: true });
    expect(info.kernels).toContain('Conv2DBackpropFilter:im2col-xnnpack');
    // native: forward im2col + GEMM and the C lowering; wasm: XNNPACK forward and the JS loops
    for (const kind of ['native', 'wasm'] as const) {
      if (kind === 'native' && !loadNativeGemm().addon && !process.env['CI']) continue;
      setCpuGemmKind(kind);
      cases.forEach((c, i) => {
        const got = run(c);
        got.forEach((arr, j) => {
          const ref = expected[i]![j]!;
          expect(arr.length).toBe(ref.length);
          const diff = Math.max(...arr.map((v, q) => Math.abs(v - ref[q]!)));
          expect(diff, `${kind} case ${i} output ${j}`).toBeLessThan(1e-4);
        });
      });
    }
    setCpuGemmKind(undefined);
  });

  it("native im2col is the JS transposed im2col transposed, and native col2im the JS one's bits", async () => {
    await initBackend({ prefer: 'wasm', strict: true });
    const { addon, reason } = loadNativeGemm();
    if (!addon && !process.env['CI']) return console.warn(`skipped: ${reason}`);
    setCpuGemmKind('native');
    const backend = tf.backend() as unknown as WasmBackendLike & {
      typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
    };
    const lowering = cpuGemm(backend)?.lowering;
    expect(lowering).toBeDefined();
    const offset = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId).memoryOffset;
    for (const c of [...cases, { x: [1, 4, 4, 2], k: 3, o: 1, stride: 1, pad: 3 } as Case]) {
      const pad =
        typeof c.pad === 'number'
          ? [
              [0, 0],
              [c.pad, c.pad],
              [c.pad, c.pad],
              [0, 0],
            ]
          : c.pad;
      const g: ConvGeometry = tfjsConvGeometry(c.x, [c.k, c.k, c.x[3]!, c.o], {
        strides: [c.stride, c.stride],
        pad,
      });
      const n = g.batch * g.outH * g.outW;
      const kkc = g.kH * g.kW * g.inC;
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 5);
      const cols = tf.zeros([n, kkc]);
      lowering!.im2col(offset(x), offset(cols), g);
      const colsT = new Float32Array(kkc * n);
      im2colTransposed(x.dataSync() as Float32Array, g, colsT);
      const got = cols.dataSync();
      for (let r = 0; r < n; r++) {
        for (let q = 0; q < kkc; q++) expect(got[r * kkc + q]).toBe(colsT[q * n + r]);
      }
      const dcols = tf.randomNormal([n, kkc], 0, 1, 'float32', 6);
      const dx = tf.zeros(c.x);
      lowering!.col2im(offset(dcols), offset(dx), g);
      const ref = new Float32Array(x.size);
      col2im(dcols.dataSync() as Float32Array, g, ref);
      expect(Buffer.from(new Float32Array(dx.dataSync()).buffer).equals(Buffer.from(ref.buffer))).toBe(true);
      tf.dispose([x, cols, dcols, dx]);
    }
    setCpuGemmKind(undefined);
  });
});
