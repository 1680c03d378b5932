import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { layerNorm } from './layer-norm';
import { addLean } from './lean-ops';
import { residualLayerNorm } from './residual-layer-norm';
import { relErr } from './webgpu/twins';

/** The fused residual + LayerNorm against add then the LayerNorm kernel (the path it replaces). */

type Fn = (x: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => { sum: tf.Tensor; y: tf.Tensor };
const fused: Fn = (x, r, g, b) => residualLayerNorm(x, r, g, b)!;
const unfused: Fn = (x, r, g, b) => {
  const sum = addLean(x, r);
  return { sum, y: layerNorm(sum, g, b) };
};

/** sum(y * wy) + sum(sum * ws): both outputs read (ws absent: the sum unread, as after the last layer). */
const lossOf =
  (f: Fn, wy: tf.Tensor, ws?: tf.Tensor) => (x: tf.Tensor, r: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.tidy(() => {
      const o = f(x, r, g, b);
      const ly = tf.sum(tf.mul(o.y, wy));
      return (ws ? tf.add(ly, tf.sum(tf.mul(o.sum, ws))) : ly) as tf.Scalar;
    });

const rel = (a: tf.Tensor, b: tf.Tensor) => relErr(a.dataSync(), b.dataSync());

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`fused residual + LayerNorm on ${backend}`, () => {
    for (const shape of [
      [3, 5, 37],
      [2, 1, 7],
      [4, 256],
    ]) {
      it(`equals add + LayerNorm on [${shape}]: sum, y and the gradients of x, r, gamma, beta`, async () => {
        const info = await initBackend({ prefer: backend, strict: true });
        expect(info.kernels).toContain(`BiomedResidualLayerNorm:${backend}`);
        const d = shape.at(-1)!;
        const x = tf.add(tf.randomNormal(shape, 0, 2, 'float32', 1), 3);
        const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
        const g = tf.randomNormal([d], 1, 0.3, 'float32', 3);
        const b = tf.randomNormal([d], 0, 0.3, 'float32', 4);
        const wy = tf.randomNormal(shape, 0, 1, 'float32', 5);
        const ws = tf.randomNormal(shape, 0, 1, 'float32', 6);
        const ours = fused(x, r, g, b);
        const ref = unfused(x, r, g, b);
        expect(rel(ours.sum, ref.sum)).toBe(0);
        expect(rel(ours.y, ref.y)).toBeLessThanOrEqual(1e-5);
        let worst = 0;
        for (const w of [ws, undefined]) {
          const gOurs = tf.grads(lossOf(fused, wy, w))([x, r, g, b]);
          const gRef = tf.grads(lossOf(unfused, wy, w))([x, r, g, b]);
          gOurs.forEach((t, i) => {
            expect(t.shape).toEqual(gRef[i]!.shape);
            const e = rel(t, gRef[i]!);
            worst = Math.max(worst, e);
            expect(e, `gradient ${i}${w ? '' : ' (sum unread)'}`).toBeLessThanOrEqual(1e-5);
          });
          tf.dispose([...gOurs, ...gRef]);
        }
        console.log(`residual LN ${backend} [${shape}]: worst gradient rel ${worst.toExponential(1)}`);
        const before = tf.memory().numTensors;
        tf.dispose(tf.grads(lossOf(fused, wy, ws))([x, r, g, b]));
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([x, r, g, b, wy, ws, ours.sum, ours.y, ref.sum, ref.y]);
      });
    }

    it('names a shape mismatch instead of broadcasting', async () => {
      await initBackend({ prefer: backend, strict: true });
      tf.tidy(() => {
        const g = tf.ones([4]);
        expect(() => residualLayerNorm(tf.ones([2, 4]), tf.ones([1, 4]), g, g)).toThrow(/differ in shape/);
        expect(() => residualLayerNorm(tf.ones([2, 3]), tf.ones([2, 3]), g, g)).toThrow(/not the 4 of gamma/);
      });
    });
  });
}
