import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { adamwUpdate, createAdamState, DEFAULT_ADAM, disposeAdamState, globalNorm } from './adamw';
import { initialOrder, nextIndices } from './data-order';
import { Trie } from './trie';

beforeAll(() => initBackend({ prefer: 'cpu', strict: true }));

describe('adamwUpdate', () => {
  it('follows fairseq Adam with decoupled decay, step by step (hand-computed in float64)', async () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const weights = new Map([['w', p]]);
    const state = createAdamState();
    let ref = [1, -2];
    let m = [0, 0];
    let v = [0, 0];
    const g = [0.5, -0.25];
    for (let t = 1; t <= 3; t++) {
      const lr = 0.1 * t;
      const grads = new Map<string, tf.Tensor>([['w', tf.tensor1d(g.map((x) => x * 2))]]);
      adamwUpdate(DEFAULT_ADAM, state, weights, grads, lr, 0.5); // gradScale halves the gradient
      grads.get('w')?.dispose();
      m = m.map((mi, i) => 0.9 * mi + 0.1 * (g[i] ?? 0));
      v = v.map((vi, i) => 0.999 * vi + 0.001 * (g[i] ?? 0) ** 2);
      const stepSize = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
      ref = ref.map((r, i) => r - r * lr * 0.01 - ((m[i] ?? 0) / (Math.sqrt(v[i] ?? 0) + 1e-8)) * stepSize);
    }
    const got = Array.from(p.dataSync());
    for (const [i, r] of ref.entries()) expect(got[i]).toBeCloseTo(r, 5);
    expect(state.step).toBe(3);
    disposeAdamState(state);
    p.dispose();
  });

  it('computes the global gradient norm', async () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3])],
      ['b', tf.tensor2d([[4, 0]])],
    ]);
    expect(await globalNorm(grads)).toBeCloseTo(5, 6);
    tf.dispose([...grads.values()]);
  });
});

describe('data order', () => {
  it('is a seeded permutation per epoch and resumes from its state', async () => {
    const s0 = initialOrder(7, 10);
    const a = nextIndices(s0, 25);
    expect(new Set(a.indices.slice(0, 10)).size).toBe(10);
    expect(a.indices.slice(0, 10)).not.toEqual(a.indices.slice(10, 20));
    const first = nextIndices(s0, 12);
    const rest = nextIndices(JSON.parse(JSON.stringify(first.state)), 13);
    expect([...first.indices, ...rest.indices]).toEqual(a.indices);
    expect(nextIndices(initialOrder(8, 10), 10).indices).not.toEqual(a.indices.slice(0, 10));
  });
});

describe('Trie', () => {
  it('lists allowed continuations of a prefix', async () => {
    const t = new Trie([
      [0, 5, 6, 2],
      [0, 5, 7, 2],
      [0, 9, 2],
    ]);
    expect(t.next([0]).sort()).toEqual([5, 9]);
    expect(t.next([0, 5]).sort()).toEqual([6, 7]);
    expect(t.next([0, 9])).toEqual([2]);
    expect(t.next([0, 8])).toEqual([]);
  });
});
