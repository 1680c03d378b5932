import * as tf from '@tensorflow/tfjs-core';
import { convOihw } from '#main/engine/kernels/conv2d';

/** Keeps every second row and column (from 0), padding odd sizes first. x: [B, H, W, C]. */
export function subsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const xp =
    h % 2 || w % 2
      ? tf.pad(x, [
          [0, 0],
          [0, h % 2],
          [0, w % 2],
          [0, 0],
        ])
      : x;
  const h2 = Math.ceil(h / 2);
  const w2 = Math.ceil(w / 2);
  const r = tf.reshape(xp, [b, h2, 2, w2, 2, c]); // [B, H/2, 2, W/2, 2, C]
  return tf.reshape(tf.slice(r, [0, 0, 0, 0, 0, 0], [b, h2, 1, w2, 1, c]), [b, h2, w2, c]);
}

/**
 * True when the backend can differentiate tf.conv2d (stock WebAssembly lacks
 * Conv2DBackpropFilter). BIOMED_CONV=im2col|native forces a path (benchmarks, tests).
 */
export function nativeConvAvailable(): boolean {
  const forced = typeof process !== 'undefined' ? process.env['BIOMED_CONV'] : undefined;
  if (forced === 'im2col') return false;
  const b = tf.getBackend();
  const ok =
    tf.getKernel('Conv2DBackpropFilter', b) !== undefined &&
    tf.getKernel('Conv2DBackpropInput', b) !== undefined;
  return forced === 'native' ? true : ok;
}

/**
 * 2-D convolution, NHWC input, PyTorch-layout filter [out, in, k, k], symmetric zero padding as
 * torch.nn.Conv2d: the engine's kernel where registered (kernels/conv2d.ts: webgpu), else
 * tf.conv2d where its gradient exists on this backend, im2col otherwise.
 */
export function conv2d(x: tf.Tensor4D, filter: tf.Tensor, stride: 1 | 2, pad: number): tf.Tensor4D {
  if (!nativeConvAvailable()) return conv2dIm2col(x, filter, stride, pad);
  const own = convOihw(x, filter, stride, pad); // webgpu: implicit GEMM on the OIHW filter
  if (own) return own;
  return tf.conv2d(x, tf.transpose(filter, [2, 3, 1, 0]) as tf.Tensor4D, stride, pad); // filter [k, k, in, out]
}

/**
 * The same convolution from pad/slice/concat/matMul (im2col), differentiable on every backend.
 */
export function conv2dIm2col(x: tf.Tensor4D, filter: tf.Tensor, stride: 1 | 2, pad: number): tf.Tensor4D {
  const [o, c, k] = filter.shape as [number, number, number, number];
  const [b, h, w] = x.shape;
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  const wo = Math.floor((w + 2 * pad - k) / stride) + 1;
  let cols: tf.Tensor4D; // [B, Ho, Wo, k*k*C]
  if (k === 1 && pad === 0) {
    cols = stride === 2 ? subsample2(x) : x;
  } else {
    const extra = stride - 1;
    const xp = tf.pad(x, [
      [0, 0],
      [pad, pad + extra],
      [pad, pad + extra],
      [0, 0],
    ]);
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const s = tf.slice(xp, [0, i, j, 0], [b, stride * ho, stride * wo, c]) as tf.Tensor4D; // [B, s*Ho, s*Wo, C]
        parts.push(stride === 2 ? subsample2(s) : s);
      }
    }
    cols = parts.length === 1 ? (parts[0] as tf.Tensor4D) : tf.concat(parts, 3);
  }
  const w2 =
    k === 1 ? tf.reshape(filter, [o, c]) : tf.reshape(tf.transpose(filter, [0, 2, 3, 1]), [o, k * k * c]); // [O, k*k*C]
  const y = tf.matMul(tf.reshape(cols, [-1, k * k * c]), w2, false, true); // [B*Ho*Wo, O]
  return tf.reshape(y, [b, ho, wo, o]);
}
