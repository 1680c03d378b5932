/**
 * Our WebGPU convolutions (implicit GEMM, SwiftShader) against the wasm backend's (XNNPACK
 * forward, ../wasm-conv-backprop.ts gradients): forward, input gradient and filter gradient, for
 * the engine's OIHW kernels (model/conv.ts's path) and for tfjs' own kernel names (HWIO), on the
 * model's kernel sizes and strides with odd sizes: H, W off every tile, 3 input channels (the
 * stem), channel counts not multiples of 4 (scalar loads) and multiples (vec4), batch > 1,
 * stride 2 on odd inputs, a filter gradient split along K. Tiny shapes: SwiftShader is slow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { convOihw } from '#main/engine/kernels/conv2d';
import { conv2d } from '#main/engine/model/conv';
import { oihwGeometry } from './conv';
import { filterSplits } from './conv-program';
import { chooseTile } from './matmul-program';
import { expectTwins, KERNEL_TOL, onBackend, seededTensor, twins } from './twins';

beforeAll(async () => {
  await onBackend('webgpu');
});
afterAll(() => {
  delete process.env['BIOMED_WEBGPU_KERNELS'];
});

const t = seededTensor;

/** [batch, H, W, C, O, k, stride, pad] */
type Case = [number, number, number, number, number, number, 1 | 2, number];
const CASES: Record<string, Case> = {
  'stem 7x7/2 pad 3, C 3, odd input': [2, 11, 13, 3, 5, 7, 2, 3],
  '3x3/1 pad 1, C 6, O 10': [2, 9, 7, 6, 10, 3, 1, 1],
  '3x3/2 pad 1, odd input, C 5, O 4': [3, 9, 11, 5, 4, 3, 2, 1],
  '1x1/1, C 8, O 12 (vec4)': [2, 5, 7, 8, 12, 1, 1, 0],
  '1x1/1, C 3, O 7': [1, 6, 5, 3, 7, 1, 1, 0],
  '1x1/2, odd input (downsample)': [2, 7, 9, 4, 6, 1, 2, 0],
  '3x3/1 pad 1, filter gradient split along K': [2, 33, 33, 3, 8, 3, 1, 1],
};

const worst: Record<string, number> = {};
afterAll(() => console.log(`webgpu conv vs wasm, max rel error [y, dx, dW]: ${JSON.stringify(worst)}`));

/** y, dx, dW of sum(conv(x, w) * r), r fixed. */
function forwardBackward(
  conv: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D,
  x: tf.Tensor4D,
  w: tf.Tensor4D,
) {
  const y = conv(x, w);
  const r = t(y.shape, 7);
  const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(conv(a as tf.Tensor4D, b as tf.Tensor4D), r)),
  )([x, w]);
  r.dispose();
  return [y, dx!, dw!];
}

describe('webgpu convolutions equal wasm', () => {
  it('the split case really splits the filter gradient', () => {
    const [b, h, w, c, o, k, s, p] = CASES['3x3/1 pad 1, filter gradient split along K']!;
    const g = oihwGeometry([b, h, w, c], [o, c, k, k], s, p);
    expect(filterSplits(g, chooseTile(1, k * k * c, o))).toBeGreaterThan(1);
  });

  for (const [name, [b, h, wd, c, o, k, s, p]] of Object.entries(CASES)) {
    it(`engine kernels (OIHW filter, model/conv.ts): ${name}`, async () => {
      const r = await twins(() => {
        const x = t([b, h, wd, c], 1) as tf.Tensor4D;
        const w = t([o, c, k, k], 2) as tf.Tensor4D;
        const out = forwardBackward((a, f) => conv2d(a, f, s, p), x, w);
        tf.dispose([x, w]);
        return out;
      });
      const e = r.webgpu.map((v, i) =>
        expectTwins({ wasm: [r.wasm[i]!], webgpu: [v] }, KERNEL_TOL, `${name} ${i}`),
      );
      worst[`oihw ${name}`] = e.reduce((m, v) => Math.max(m, v), 0);
      console.log(`oihw ${name}: ${e.map((v) => v.toExponential(1)).join(' / ')}`);
    });
  }

  const TFJS: [string, Case, 'same' | 'valid' | number][] = [
    ['7x7/2 pad 3', CASES['stem 7x7/2 pad 3, C 3, odd input']!, 3],
    ['3x3/2 same (asymmetric pad), odd input', CASES['3x3/2 pad 1, odd input, C 5, O 4']!, 'same'],
    ['3x3/1 valid', CASES['3x3/1 pad 1, C 6, O 10']!, 'valid'],
    ['1x1/1 vec4', CASES['1x1/1, C 8, O 12 (vec4)']!, 0],
    ['1x1/2 same', CASES['1x1/2, odd input (downsample)']!, 'same'],
  ];
  for (const [name, [b, h, wd, c, o, k, s], pad] of TFJS) {
    it(`tfjs kernel names (HWIO filter): ${name}`, async () => {
      const r = await twins(() => {
        const x = t([b, h, wd, c], 3) as tf.Tensor4D;
        const w = t([k, k, c, o], 4) as tf.Tensor4D;
        const out = forwardBackward((a, f) => tf.conv2d(a, f, s, pad), x, w);
        tf.dispose([x, w]);
        return out;
      });
      worst[`hwio ${name}`] = expectTwins(r, KERNEL_TOL, name);
    });
  }
});

describe('webgpu convolution programs', () => {
  it('fwd + bwd of a convolution takes fewer programs than stock, and stock runs under BIOMED_WEBGPU_KERNELS=stock', async () => {
    await onBackend('webgpu');
    const count = (mode: 'own' | 'stock') => {
      process.env['BIOMED_WEBGPU_KERNELS'] = mode;
      const x = t([2, 9, 7, 6], 1) as tf.Tensor4D;
      const w = t([10, 6, 3, 3], 2) as tf.Tensor4D;
      resetWebgpuDispatches();
      const out = forwardBackward((a, f) => conv2d(a, f, 1, 1), x, w);
      const c = webgpuDispatches();
      tf.dispose([x, w, ...out]);
      return c;
    };
    const own = count('own');
    const stock = count('stock');
    const ours = (c: typeof own) => Object.keys(c.byProgram).filter((k) => k.startsWith('biomed:conv_'));
    expect(ours(own).length).toBe(3); // forward, input gradient, filter gradient: one program each
    expect(ours(stock)).toEqual([]);
    expect(Object.keys(stock.byProgram).some((k) => /Conv2DDerFilter/.test(k))).toBe(true);
    // the same loss ops around it in both; ours drop the filter transposes (2) and stock's im2col
    expect(own.total).toBeLessThanOrEqual(stock.total - 2);
    console.log(
      `conv fwd+bwd programs: own ${own.total}, stock ${stock.total}`,
      own.byProgram,
      stock.byProgram,
    );
    delete process.env['BIOMED_WEBGPU_KERNELS'];
  });

  it('names mismatched shapes', async () => {
    await onBackend('webgpu');
    const x = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    const w = tf.zeros([2, 4, 3, 3]);
    expect(() => convOihw(x, w, 1, 1)).toThrow(/\[1,4,4,3\].*\[2,4,3,3\].*do not match/);
    tf.dispose([x, w]);
  });
});
