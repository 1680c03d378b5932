/**
 * The webgpu-only GELU kernels and fused linear layer (bias, GELU and residual epilogues) against
 * the wasm path they replace (tf ops there): values and gradients, tiny odd shapes (SwiftShader).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetWebgpuDispatches, webgpuDispatches } from '#main/engine/backend/webgpu-counters';
import { gelu } from '#main/engine/kernels/gelu';
import { linearFused } from '#main/engine/kernels/linear';
import { expectTwins, KERNEL_TOL, onBackend, seededTensor, twins } from './twins';

beforeAll(async () => {
  await onBackend('webgpu');
});
const worst: Record<string, number> = {};
afterAll(() => console.log(`webgpu gelu / linear vs wasm, max rel error: ${JSON.stringify(worst)}`));

const t = seededTensor;

/** The composed form the wasm path runs: x W^T + b (then GELU, then + residual). */
function composed(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, act: boolean, res?: tf.Tensor): tf.Tensor {
  let y = tf.add(tf.matMul(x, w, false, true), b);
  if (act) y = gelu(y);
  return res ? tf.add(y, res) : y;
}

describe('webgpu GELU and fused linear equal the wasm path', () => {
  it('GELU forward and gradient (one program each on webgpu)', async () => {
    const r = await twins(() => {
      const x = t([5, 37], 1, 4);
      const dy = t([5, 37], 2);
      const { value, grads } = tf.valueAndGrads((xx: tf.Tensor) => tf.sum(tf.mul(gelu(xx), dy)))([x]);
      return [gelu(x), value, grads[0]!];
    });
    worst['gelu'] = expectTwins(r, KERNEL_TOL, 'gelu');
    await onBackend('webgpu');
    const x = t([3, 7], 3);
    resetWebgpuDispatches();
    const y = gelu(x);
    await y.data();
    expect(webgpuDispatches().byProgram).toEqual({ 'biomed:gelu': 1 });
    tf.dispose([x, y]);
  });

  it('linear with bias: value and the gradients of x, W and b', async () => {
    for (const [n, k, m] of [
      [7, 3, 5],
      [18, 20, 33],
    ] as const) {
      const r = await twins(() => {
        const [x, w, b, dy] = [t([n, k], 4), t([m, k], 5), t([m], 6), t([n, m], 7)];
        const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          linearFused(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D) ?? composed(xx, ww, bb, false);
        const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(f(xx, ww, bb), dy)),
        )([x, w, b]);
        return [f(x, w, b), value, ...grads];
      });
      worst['linear+bias and grads'] = Math.max(
        worst['linear+bias and grads'] ?? 0,
        expectTwins(r, KERNEL_TOL, `linear ${n}x${k}x${m}`),
      );
    }
    await onBackend('wasm');
    expect(linearFused(tf.zeros([2, 2]), tf.zeros([2, 2]), tf.zeros([2]))).toBeUndefined();
  });

  it('inference epilogues: bias + GELU, bias + residual', async () => {
    const r = await twins(() => {
      const [x, w, b, res] = [t([9, 12], 8), t([10, 12], 9), t([10], 10), t([9, 10], 11)];
      const g =
        linearFused(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, { activation: 'gelu' }) ??
        composed(x, w, b, true);
      const s =
        linearFused(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, { residual: res }) ??
        composed(x, w, b, false, res);
      return [g, s];
    });
    worst['epilogues'] = expectTwins(r, KERNEL_TOL, 'epilogues');
  });
});
