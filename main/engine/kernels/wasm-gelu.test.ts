import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { GELU, GELU_GRAD, gelu } from './gelu';
import { setWasmOpsMode } from './wasm-ops';
import { gelu64, geluGrad64, worstExcess } from './wasm-ops/f64-reference';

const reference = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
const loss = (f: (t: tf.Tensor) => tf.Tensor, w: tf.Tensor) => (t: tf.Tensor) =>
  tf.sum(tf.mul(f(t), w)) as tf.Scalar;

describe('GELU in one kernel call each way on wasm', () => {
  beforeAll(async () => {
    await initBackend({ prefer: 'wasm', strict: true });
  });
  afterEach(() => setWasmOpsMode(undefined));

  it('single pass (default): within 1e-6 relative + 1e-6 of the float64 formula, gradient too, no leak', async () => {
    // 13 x 41 = 533 floats: a 1-float tail after the 4-wide loop; x from -12 to 12 (both tails).
    const n = 13 * 41;
    const xs = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
    xs[7] = 0;
    const x = tf.tensor2d(xs, [13, 41]);
    const w = tf.randomNormal([13, 41], 0, 1, 'float32', 2);
    const prof = await tf.profile(() => gelu(x));
    expect(prof.kernels.map((k) => k.name).filter((k) => k !== '')).toEqual([GELU]); // '': customGrad
    // Not bit-identical to the composed kernels (own exp, SIMD): bounded against float64 instead; the
    // erf approximation (tfjs', |error| < 1.5e-7) costs up to 1.5e-7 |x| / 2 absolute.
    const y = gelu(x).dataSync();
    const f = worstExcess(y, Array.from(xs, gelu64), 1e-6, 1e-6);
    expect(f.excess, JSON.stringify(f)).toBeLessThanOrEqual(1);
    const back = await tf.profile(() => tf.grad(loss(gelu, w))(x));
    expect(back.kernels.filter((k) => k.name === GELU_GRAD)).toHaveLength(1);
    expect(back.kernels.filter((k) => k.name === tf.Exp || k.name === tf.Erf)).toHaveLength(0);
    const ws = w.dataSync();
    const dx = tf.grad(loss(gelu, w))(x).dataSync();
    const g = worstExcess(
      dx,
      Array.from(xs, (v, i) => ws[i]! * geluGrad64(v)),
      1e-6,
      3e-7 * Math.max(...Array.from(ws, Math.abs)),
    );
    expect(g.excess, JSON.stringify(g)).toBeLessThanOrEqual(1);
    // and close to the composed form (the same erf; 1 + erf cancels near erf = -1: absolute 1e-6)
    const c = worstExcess(y, reference(x).dataSync(), 1e-6, 1e-6);
    expect(c.excess, JSON.stringify(c)).toBeLessThanOrEqual(1);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      gelu(x);
      tf.grad(loss(gelu, w))(x);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w]);
  });

  it('BIOMED_WASM_OPS=composed: equals the erf formulation and its gradient bit for bit', async () => {
    setWasmOpsMode('composed');
    const x = tf.randomNormal([13, 40], 0, 3, 'float32', 1);
    const w = tf.randomNormal([13, 40], 0, 1, 'float32', 2);
    const prof = await tf.profile(() => gelu(x));
    expect(prof.kernels.map((k) => k.name)).toContain(GELU);
    expect(prof.kernels.filter((k) => k.name === tf.Erf)).toHaveLength(0);
    expect(gelu(x).dataSync()).toEqual(reference(x).dataSync());
    const back = await tf.profile(() => tf.grad(loss(gelu, w))(x));
    expect(back.kernels.filter((k) => k.name === GELU_GRAD)).toHaveLength(1);
    expect(back.kernels.filter((k) => k.name === tf.Exp)).toHaveLength(0);
    expect(tf.grad(loss(gelu, w))(x).dataSync()).toEqual(tf.grad(loss(reference, w))(x).dataSync());
    const before = tf.memory().numTensors;
    tf.grad(loss(gelu, w))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
