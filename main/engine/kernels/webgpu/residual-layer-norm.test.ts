import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { layerNorm } from '#main/engine/kernels/layer-norm';
import { addLean } from '#main/engine/kernels/lean-ops';
import { residualLayerNorm } from '#main/engine/kernels/residual-layer-norm';
import { countPrograms, expectTwins, KERNEL_TOL, onBackend, seededTensor, twins } from './twins';

/** The webgpu residual + LayerNorm against its wasm twin (SwiftShader: tiny odd shapes). */

const t = (shape: number[], seed: number, scale = 1, shift = 0) =>
  tf.add(seededTensor(shape, seed, scale), shift);

describe('residual + LayerNorm on webgpu equals the wasm kernel', () => {
  for (const shape of [
    [2, 3, 37],
    [3, 300],
  ]) {
    it(`[${shape}]: sum, y and the gradients of x, r, gamma, beta`, async () => {
      const r = await twins(() => {
        const d = shape.at(-1)!;
        const x = t(shape, 1, 2, 3);
        const res = t(shape, 2);
        const g = t([d], 3, 0.3, 1);
        const b = t([d], 4, 0.3);
        const wy = t(shape, 5);
        const ws = t(shape, 6);
        const o = residualLayerNorm(x, res, g, b)!;
        const loss = (xx: tf.Tensor, rr: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
          const p = residualLayerNorm(xx, rr, gg, bb)!;
          return tf.add(tf.sum(tf.mul(p.y, wy)), tf.sum(tf.mul(p.sum, ws))) as tf.Scalar;
        };
        return [o.sum, o.y, ...tf.grads(loss)([x, res, g, b])];
      });
      console.log(
        `residual LN webgpu [${shape}]: worst rel ${expectTwins(r, KERNEL_TOL, `[${shape}]`).toExponential(1)}`,
      );
    });
  }

  it('forward and backward take fewer programs than add + LayerNorm', async () => {
    await onBackend('webgpu');
    const count = (isFused: boolean) =>
      tf.tidy(() => {
        const x = t([2, 3, 8], 1);
        const res = t([2, 3, 8], 2);
        const g = t([8], 3);
        const b = t([8], 4);
        const w = t([2, 3, 8], 5);
        return countPrograms(() => {
          const loss = (xx: tf.Tensor, rr: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => {
            const s = isFused ? residualLayerNorm(xx, rr, gg, bb)! : undefined;
            const sum = s?.sum ?? addLean(xx, rr);
            const y = s?.y ?? layerNorm(sum, gg, bb);
            return tf.add(tf.sum(tf.mul(y, w)), tf.sum(tf.mul(sum, w))) as tf.Scalar;
          };
          return tf.grads(loss)([x, res, g, b]);
        }).programs;
      });
    // as in the model, every op runs on the GPU (tfjs runs small ops on host-resident data on the CPU)
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    try {
      const [fusedPrograms, composed] = [count(true), count(false)];
      console.log(
        `residual LN programs fwd+bwd (with the test's loss): fused ${fusedPrograms}, add + LN ${composed}`,
      );
      // the forward add and the add joining the sum's two gradients are gone
      expect(fusedPrograms).toBe(composed - 2);
    } finally {
      tf.env().set('WEBGPU_CPU_FORWARD', true);
    }
  });
});
