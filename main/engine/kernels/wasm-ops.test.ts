import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { BATCH_NORM, BATCH_NORM_GRAD, batchNormArrays, batchNormGradArrays } from './batch-norm';
import { LS_CE, LS_CE_GRAD, lsceBackward, lsceForward } from './label-smoothed-ce';
import { LAYER_NORM, LAYER_NORM_GRAD, layerNormArrays, layerNormGradArrays } from './layer-norm';
import {
  RESIDUAL_LAYER_NORM,
  RESIDUAL_LAYER_NORM_GRAD,
  residualLayerNormArrays,
  residualLayerNormGradArrays,
} from './residual-layer-norm';
import { SUM_SQUARES, sumSquaresTensor } from './sum-squares';
import { setWasmOpsMode, wasmOps, wasmOpsModeFromEnv } from './wasm-ops';
import { worstExcess } from './wasm-ops/f64-reference';

/**
 * The single-pass wasm kernels (wasm-ops/ops.c) against float64 runs of the JS array kernels they
 * replace (the same formulas, statistics in double there too, here with double outputs as well).
 * Not bit-identical (float32 elementwise, own exp, another summation order): within the stated
 * tolerances. Odd sizes everywhere (tails of the 4-wide loops), a constant row/channel (zero
 * variance), <pad> rows in the cross-entropy. AdamW keeps the JS kernel's bits (adamw-many.test.ts).
 */

type F32 = Float32Array;
const f64 = (n: number) => new Float64Array(n) as unknown as F32; // the JS kernels, in double
const data = (t: tf.Tensor | tf.TensorInfo) => (t as tf.Tensor).dataSync() as F32;
const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];

/** Asserts |a - e| <= rel |e| + abs elementwise, naming the worst element. */
function close(a: ArrayLike<number>, e: ArrayLike<number>, rel: number, abs: number, what: string) {
  const w = worstExcess(a, e, rel, abs);
  expect(w.excess, `${what}: ${JSON.stringify(w)}`).toBeLessThanOrEqual(1);
}

/** Exactly one call of `name` among the kernels `fn` dispatches. */
async function oneCall(name: string, fn: () => tf.Tensor[]) {
  const prof = await tf.profile(() => fn());
  expect(prof.kernels.map((k) => k.name)).toEqual([name]);
  tf.dispose(prof.result as tf.Tensor[]);
}

const rand = (shape: number[], seed: number, sd: number) => tf.randomNormal(shape, 0, sd, 'float32', seed);

/** Random floats, row `constRow` (of `d`) all equal (zero variance). */
function rows(n: number, d: number, seed: number, constRow: number): tf.Tensor {
  return tf.tidy(() => {
    const v = tf.add(tf.randomNormal([n * d], 0, 2, 'float32', seed), 1.5).dataSync() as F32;
    v.fill(0.75, constRow * d, (constRow + 1) * d);
    return tf.tensor2d(v, [n, d]);
  });
}

describe('single-pass wasm kernels (ops.c) against float64 references', () => {
  beforeAll(async () => {
    const info = await initBackend({ prefer: 'wasm', strict: true });
    expect(info.kernels).toContain(`ops:single-pass-${wasmOps(tf.backend())!.kind}`);
    expect(wasmOps(tf.backend())).toBeDefined();
  });
  afterEach(() => setWasmOpsMode(undefined));

  it('BIOMED_WASM_OPS parses single-pass / composed and names a bad value', () => {
    expect(wasmOpsModeFromEnv({})).toBe('single-pass');
    expect(wasmOpsModeFromEnv({ BIOMED_WASM_OPS: 'composed' })).toBe('composed');
    expect(() => wasmOpsModeFromEnv({ BIOMED_WASM_OPS: 'fast' })).toThrow(/BIOMED_WASM_OPS='fast'/);
    setWasmOpsMode('composed');
    expect(wasmOps(tf.backend())).toBeUndefined();
  });

  it('sum of squares over [13, 7], [101], [] in one call: within 1e-12 of the float64 sum', async () => {
    const xs = [rand([13, 7], 20, 1), rand([101], 21, 3), tf.scalar(2)];
    const ref = xs.reduce((s, t) => s + Array.from(data(t)).reduce((a, v) => a + v * v, 0), 0);
    const before = tf.memory().numTensors;
    const prof = await tf.profile(() => sumSquaresTensor(xs));
    expect(prof.kernels.map((k) => k.name)).toEqual([SUM_SQUARES]);
    // a float32 scalar out: the double total rounded once
    expect((prof.result as tf.Tensor).dataSync()[0]).toBe(Math.fround(ref));
    (prof.result as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(xs);
  });

  for (const d of [37, 5, 1]) {
    it(`LayerNorm [7, ${d}] (row 3 constant): y, mean, rstd, dx, dgamma, dbeta within 1e-6`, async () => {
      const x = rows(7, d, 1, 3);
      const g = tf.randomNormal([d], 1, 0.3, 'float32', 2);
      const b = tf.randomNormal([d], 0, 0.3, 'float32', 3);
      const dy = tf.randomNormal([7, d], 0, 1, 'float32', 4);
      await oneCall(LAYER_NORM, () => run(LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }));
      const before = tf.memory().numTensors;
      const [y, mean, rstd] = run(LAYER_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 });
      const [ry, rm, rr] = [f64(7 * d), f64(7), f64(7)];
      layerNormArrays(data(x), data(g), data(b), 1e-5, ry, rm, rr);
      close(data(y!), ry, 1e-6, 1e-6, 'y');
      close(data(mean!), rm, 1e-6, 1e-7, 'mean');
      close(data(rstd!), rr, 1e-6, 0, 'rstd');
      const grads = () => run(LAYER_NORM_GRAD, { dy, x, mean: mean!, rstd: rstd!, gamma: g });
      await oneCall(LAYER_NORM_GRAD, grads);
      const [dx, dg, db] = grads();
      const [rdx, rdg, rdb] = [f64(7 * d), f64(d), f64(d)];
      layerNormGradArrays(data(dy), data(x), data(mean!), data(rstd!), data(g), rdx, rdg, rdb);
      // dx cancels (g - mean(g) - ...) times rstd (up to 316 on the constant row): absolute 1e-6 of that scale
      close(data(dx!), rdx, 1e-6, 1e-6 * Math.max(...data(rstd!)), 'dx');
      close(data(dg!), rdg, 1e-6, 1e-6, 'dgamma');
      close(data(db!), rdb, 1e-6, 1e-6, 'dbeta');
      tf.dispose([y!, mean!, rstd!, dx!, dg!, db!]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, g, b, dy]);
    });
  }

  it('residual + LayerNorm [2, 3, 37]: s exact, y, stats, dx (with ds) within 1e-6', async () => {
    const [n, d] = [6, 37];
    const x = rows(n, d, 5, 4);
    const r = tf.randomNormal([n, d], 0, 1, 'float32', 6);
    const g = tf.randomNormal([d], 1, 0.3, 'float32', 7);
    const b = tf.randomNormal([d], 0, 0.3, 'float32', 8);
    const [ds, dy] = [9, 10].map((s) => tf.randomNormal([n, d], 0, 1, 'float32', s));
    const zero = tf.zerosLike(x);
    await oneCall(RESIDUAL_LAYER_NORM, () =>
      run(RESIDUAL_LAYER_NORM, { x, r: zero, gamma: g, beta: b }, { eps: 1e-5 }),
    );
    const sum = tf.add(x, r);
    const before = tf.memory().numTensors;
    const [s, y, stats] = run(RESIDUAL_LAYER_NORM, { x, r, gamma: g, beta: b }, { eps: 1e-5 });
    const [rs, ry, rst] = [f64(n * d), f64(n * d), f64(2 * n)];
    residualLayerNormArrays(data(x), data(r), data(g), data(b), 1e-5, rs, ry, rst);
    expect(Array.from(data(s!))).toEqual(Array.from(data(sum))); // float32 add, as tf.add
    close(data(y!), ry, 1e-6, 1e-6, 'y');
    close(data(stats!), rst, 1e-6, 1e-7, 'stats');
    const [dx, dg, db] = run(RESIDUAL_LAYER_NORM_GRAD, { ds: ds!, dy: dy!, s: s!, stats: stats!, gamma: g });
    const [rdx, rdg, rdb] = [f64(n * d), f64(d), f64(d)];
    residualLayerNormGradArrays(data(ds!), data(dy!), data(s!), data(stats!), data(g), rdx, rdg, rdb);
    const rmax = Math.max(...data(stats!).filter((_, i) => i % 2 === 1));
    close(data(dx!), rdx, 1e-6, 1e-6 * rmax, 'dx');
    close(data(dg!), rdg, 1e-6, 1e-6, 'dgamma');
    close(data(db!), rdb, 1e-6, 1e-6, 'dbeta');
    tf.dispose([s!, y!, stats!, dx!, dg!, db!]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, r, g, b, ds!, dy!, zero, sum]);
  });

  for (const c of [13, 8, 3]) {
    it(`BatchNorm NHWC [2, 5, 3, ${c}] (channel 1 constant): y, mean, variance, dx, dgamma, dbeta within 1e-6`, async () => {
      const n = 2 * 5 * 3;
      const flat = tf.tidy(() => tf.transpose(rows(c, n, 11, 1)).dataSync() as F32); // channel 1 constant
      const x = tf.tensor4d(flat, [2, 5, 3, c]);
      const g = tf.randomNormal([c], 1, 0.3, 'float32', 12);
      const b = tf.randomNormal([c], 0, 0.3, 'float32', 13);
      const dy = tf.randomNormal([2, 5, 3, c], 0, 1, 'float32', 14);
      await oneCall(BATCH_NORM, () => run(BATCH_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 }));
      const before = tf.memory().numTensors;
      const [y, mean, variance] = run(BATCH_NORM, { x, gamma: g, beta: b }, { eps: 1e-5 });
      const [ry, rm, rv] = [f64(n * c), f64(c), f64(c)];
      batchNormArrays(data(x), data(g), data(b), 1e-5, ry, rm, rv);
      close(data(y!), ry, 1e-6, 1e-6, 'y');
      close(data(mean!), rm, 1e-6, 1e-7, 'mean');
      // one-pass variance (E[x^2] - mean^2 in double) against two-pass: absolute 1e-9 for the constant channel
      close(data(variance!), rv, 1e-6, 1e-9, 'variance');
      const grads = () =>
        run(BATCH_NORM_GRAD, { dy, x, mean: mean!, variance: variance!, gamma: g }, { eps: 1e-5 });
      await oneCall(BATCH_NORM_GRAD, grads);
      const [dx, dg, db] = grads();
      const [rdx, rdg, rdb] = [f64(n * c), f64(c), f64(c)];
      batchNormGradArrays(data(dy), data(x), data(mean!), data(variance!), data(g), 1e-5, rdx, rdg, rdb);
      close(data(dx!), rdx, 1e-6, 1e-6 * 316, 'dx'); // rstd up to 1 / sqrt(eps) on the constant channel
      close(data(dg!), rdg, 1e-6, 1e-5, 'dgamma');
      close(data(db!), rdb, 1e-6, 1e-6, 'dbeta');
      tf.dispose([y!, mean!, variance!, dx!, dg!, db!]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, g, b, dy]);
    });
  }

  for (const v of [37, 40]) {
    it(`label-smoothed CE [3, 4, ${v}] with <pad> rows, masks, eps 0 / 0.1: row losses, p, dz within 1e-6`, async () => {
      const [bt, pad] = [12, 1];
      const z = tf.randomNormal([3, 4, v], 0, 3, 'float32', 15);
      const targets = tf.tensor2d([5, 7, 9, 1, 0, 2, v - 1, 3, 1, 4, 4, 10], [3, 4], 'int32');
      const allowedVals = new Float32Array(bt * v);
      for (let r = 0; r < bt; r++)
        for (const j of [0, 2, 3, 4, 5, 7, 9, 10, v - 1, r % v]) allowedVals[r * v + j] = 1;
      const allowed = tf.tensor3d(allowedVals, [3, 4, v]);
      const dy = tf.randomNormal([bt], 1, 0.5, 'float32', 16);
      for (const eps of [0, 0.1]) {
        for (const mask of [undefined, allowed]) {
          const what = `eps ${eps} mask ${!!mask}`;
          const ins = { logits: z, targets, ...(mask ? { allowed: mask } : {}) };
          await oneCall(LS_CE, () => run(LS_CE, ins, { eps, pad }));
          const before = tf.memory().numTensors;
          const [loss, p] = run(LS_CE, ins, { eps, pad });
          const [rl, rp] = [f64(bt), f64(bt * v)];
          lsceForward(data(z), targets.dataSync() as Int32Array, mask && data(mask), eps, pad, rl, rp);
          close(data(loss!), rl, 1e-6, 1e-6, `loss ${what}`);
          expect(data(loss!)[3]).toBe(0); // <pad>
          close(data(p!), rp, 1e-6, 1e-9, `p ${what}`);
          const gIns = { dy, p: p!, targets, ...(mask ? { allowed: mask } : {}) };
          await oneCall(LS_CE_GRAD, () => run(LS_CE_GRAD, gIns, { eps, pad }));
          const [dz] = run(LS_CE_GRAD, gIns, { eps, pad });
          const rdz = f64(bt * v);
          lsceBackward(
            data(dy),
            data(p!),
            targets.dataSync() as Int32Array,
            mask && data(mask),
            eps,
            pad,
            rdz,
          );
          close(data(dz!), rdz, 1e-6, 1e-7, `dz ${what}`);
          expect(Array.from(data(dz!).subarray(3 * v, 4 * v))).toEqual(new Array(v).fill(0)); // <pad> row
          tf.dispose([loss!, p!, dz!]);
          expect(tf.memory().numTensors).toBe(before);
        }
      }
      tf.dispose([z, targets, allowed, dy]);
    });
  }
});
