import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { addLean, mulByConstant, reluLean } from './lean-ops';

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

/** Value and gradients of sum(op(...xs) * w) for each input. */
function valueAndGrads(op: Op, xs: tf.Tensor[], w: tf.Tensor, constants = 0): Float32Array[] {
  return tf.tidy(() => {
    // the last `constants` inputs are held fixed (not differentiated)
    const fixed = xs.slice(xs.length - constants);
    const vars = xs.slice(0, xs.length - constants);
    const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) => tf.sum(tf.mul(op(...ts, ...fixed), w)))(
      vars,
    );
    return [op(...xs), value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Bytes of the tensors that op's tape nodes save for the backward pass. */
function savedBytes(op: Op, xs: tf.Tensor[], constants: number): number {
  const fixed = xs.slice(xs.length - constants);
  const tape = () =>
    (tf.engine() as unknown as { state: { activeTape: Array<{ saved?: tf.Tensor[] }> } }).state.activeTape;
  let held = 0;
  const grads = tf.grads((...ts: tf.Tensor[]) => {
    const first = tape().length;
    const y = op(...ts, ...fixed);
    for (const node of tape().slice(first)) for (const t of node.saved ?? []) held += t.size * 4;
    return tf.sum(y) as tf.Scalar;
  })(xs.slice(0, xs.length - constants));
  for (const g of grads) g.dispose();
  return held;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`lean elementwise ops on ${backend}`, () => {
    const cases: Array<{
      name: string;
      lean: Op;
      stock: Op;
      shapes: number[][];
      saves: number;
      stockSaves?: 'same';
    }> = [
      {
        name: 'add, same shapes',
        lean: addLean,
        stock: tf.add,
        shapes: [
          [6, 5],
          [6, 5],
        ],
        saves: 0,
      },
      { name: 'add, bias broadcast', lean: addLean, stock: tf.add, shapes: [[2, 6, 5], [5]], saves: 0 },
      {
        name: 'add, both broadcast',
        lean: addLean,
        stock: tf.add,
        shapes: [
          [3, 1, 5],
          [1, 4, 1],
        ],
        saves: 0,
      },
      {
        name: 'multiply by a mask',
        lean: (x, m) => mulByConstant(x!, m!),
        stock: (x, m) => tf.mul(x!, m!),
        shapes: [
          [4, 6],
          [4, 6],
        ],
        saves: 4 * 6 * 4, // the mask only
      },
      {
        name: 'multiply by a per-example factor',
        lean: (x, m) => mulByConstant(x!, m!),
        stock: (x, m) => tf.mul(x!, m!),
        shapes: [
          [3, 4, 6],
          [3, 1, 1],
        ],
        saves: 3 * 4,
      },
      // relu keeps as much as tfjs' (its output instead of its input), which the next op keeps anyway
      {
        name: 'relu',
        lean: reluLean,
        stock: tf.relu,
        shapes: [[5, 7]],
        saves: 5 * 7 * 4,
        stockSaves: 'same',
      },
    ];
    for (const c of cases) {
      it(`${c.name}: values and gradients equal tfjs' op bit for bit; keeps less`, async () => {
        await initBackend({ prefer: backend, strict: true });
        const xs = c.shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 10 + i));
        const [s0, s1] = c.shapes as [number[], number[] | undefined];
        const w = tf.randomNormal(
          s1 ? tf.backend_util.assertAndGetBroadcastShape(s0, s1) : s0,
          0,
          1,
          'float32',
          3,
        );
        // the constant operand of mulByConstant is not differentiated: compare x's gradient only
        const constants = c.name.startsWith('multiply') ? 1 : 0;
        const lean = valueAndGrads(c.lean, xs, w, constants);
        const stock = valueAndGrads(c.stock, xs, w, constants);
        expect(lean).toEqual(stock);
        expect(savedBytes(c.lean, xs, constants)).toBe(c.saves);
        if (c.stockSaves === 'same') expect(savedBytes(c.stock, xs, constants)).toBe(c.saves);
        else expect(savedBytes(c.stock, xs, constants)).toBeGreaterThan(c.saves);
        const before = tf.memory().numTensors;
        valueAndGrads(c.lean, xs, w, constants);
        expect(tf.memory().numTensors).toBe(before);
      });
    }
    it('mulByConstant takes a number, relu gradients are zero at and below 0', async () => {
      await initBackend({ prefer: backend, strict: true });
      const x = tf.tensor1d([-2, 0, 0.5, 3]);
      expect(Array.from(mulByConstant(x, 0.125).dataSync())).toEqual([-0.25, 0, 0.0625, 0.375]);
      expect(
        Array.from(
          tf
            .grad((t: tf.Tensor) => tf.sum(reluLean(t)))(x)
            .dataSync(),
        ),
      ).toEqual([0, 0, 1, 1]);
    });
  });
}
