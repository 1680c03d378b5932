import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { setWasmOpsMode } from './wasm-ops';

/**
 * MaxPool's gradient through ops.c against a JS reference of the routing tfjs' cpu backend and
 * PyTorch use (each dy to the first maximum of its window, row-major, strictly greater than the
 * best so far from -inf; float32 sums in dy order): the same bits. And against the stock wasm kernel
 * (BIOMED_WASM_OPS=composed): the same bits where every window's maximum is positive; the stock
 * kernel drops the gradient of a window whose maximum is <= 0 (all-zero windows after a ReLU, and
 * all-negative ones), which this kernel routes like the cpu backend.
 */

type Pad = number | 'same' | 'valid';

function reference(x: tf.Tensor4D, dy: tf.Tensor4D, size: number, stride: number, pad: Pad): Float32Array {
  const [b, h, w, c] = x.shape;
  const info = tf.backend_util.computePool2DInfo(x.shape, size, stride, 1, pad);
  const [xv, gv] = [x.dataSync(), dy.dataSync()];
  const dx = new Float32Array(b * h * w * c);
  for (let n = 0; n < b; n++)
    for (let oy = 0; oy < info.outHeight; oy++)
      for (let ox = 0; ox < info.outWidth; ox++)
        for (let ch = 0; ch < c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          const y0 = oy * stride - info.padInfo.top;
          const x0 = ox * stride - info.padInfo.left;
          for (let yy = Math.max(0, y0); yy < Math.min(h, y0 + size); yy++)
            for (let xx = Math.max(0, x0); xx < Math.min(w, x0 + size); xx++) {
              const k = ((n * h + yy) * w + xx) * c + ch;
              if (xv[k]! > best) [best, at] = [xv[k]!, k];
            }
          const g = gv[((n * info.outHeight + oy) * info.outWidth + ox) * c + ch]!;
          if (at >= 0) dx[at] = Math.fround(dx[at]! + g);
        }
  return dx;
}

describe('wasm MaxPoolGrad in one pass', () => {
  afterEach(() => setWasmOpsMode(undefined));

  for (const [shape, size, stride, pad] of [
    [[2, 13, 11, 5], 3, 2, 1], // the ResNet stem's pool, odd sizes
    [[1, 8, 9, 3], 2, 2, 'same'],
    [[2, 7, 7, 4], 3, 1, 'valid'],
  ] as const) {
    it(`${shape} size ${size} stride ${stride} pad ${pad}: bit-equal to the cpu-backend routing, ties included`, async () => {
      await initBackend({ prefer: 'wasm', strict: true });
      const pool = (t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, size, stride, pad);
      // relu of a shifted normal: ~40% zeros, so tied maxima and all-zero windows
      const x = tf.tidy(() =>
        tf.relu(tf.sub(tf.randomNormal([...shape], 0, 1, 'float32', 1), 0.3)),
      ) as tf.Tensor4D;
      const w = tf.randomNormal(pool(x).shape, 0, 1, 'float32', 2) as tf.Tensor4D;
      const loss = (t: tf.Tensor) => tf.sum(tf.mul(pool(t), w)) as tf.Scalar;
      const prof = await tf.profile(() => tf.grad(loss)(x));
      expect(prof.kernels.filter((k) => k.name === tf.MaxPoolGrad)).toHaveLength(1);
      const ours = tf.grad(loss)(x);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(reference(x, w, size, stride, pad)));
      // positive, tie-free input: the stock kernel's bits too
      const xp = tf.tidy(() => tf.add(tf.abs(tf.randomNormal([...shape], 0, 1, 'float32', 3)), 0.01));
      const mine = tf.grad(loss)(xp);
      setWasmOpsMode('composed');
      const stock = tf.grad(loss)(xp);
      setWasmOpsMode(undefined);
      expect(Array.from(mine.dataSync())).toEqual(Array.from(stock.dataSync()));
      const before = tf.memory().numTensors;
      tf.grad(loss)(x).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w, xp, ours, mine, stock, prof.result as tf.Tensor]);
    });
  }
});
