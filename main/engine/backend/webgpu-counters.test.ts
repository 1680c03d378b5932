import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { onBackend } from '#main/engine/kernels/webgpu/twins';
import { poolLimitBytes, setWebgpuPoolLimit, stepDispatchTracker } from './webgpu-counters';

/**
 * The bounded buffer pool on the real tfjs webgpu backend (SwiftShader): tfjs keys freed buffers
 * by exact size and keeps them for ever, so buffers of ever new sizes (batches of varying shape)
 * grow its pool without limit; bounded, freed bytes stay under the cap.
 */

interface Pool {
  numBytesUsed: number;
  numBytesAllocated: number;
}

/** Makes, reads and frees `rounds` pairs of buffers of sizes never seen before; the pool's bytes. */
async function churn(pool: Pool, rounds: number, first: number) {
  let peak = 0;
  let largest = 0;
  for (let i = 0; i < rounds; i++) {
    const n = first + 256 * i; // float32 elements; above tfjs' CPU hand-off, so on the GPU
    const x = tf.fill([n], i + 1);
    const y = tf.add(x, x); // [n]
    expect((await y.data())[n - 1]).toBe(2 * (i + 1));
    tf.dispose([x, y]);
    largest = Math.max(largest, n * 4);
    peak = Math.max(peak, pool.numBytesAllocated);
  }
  return { peak, free: pool.numBytesAllocated - pool.numBytesUsed, largest };
}

describe('the WebGPU buffer pool bound (BIOMED_WEBGPU_POOL_MB)', () => {
  it('keeps at most the cap of freed buffers; GPU bytes stay under the cap + one working set', async () => {
    await onBackend('webgpu');
    const backend = tf.backend() as unknown as { bufferManager: Pool };
    const pool = backend.bufferManager;
    expect(poolLimitBytes()).toBe(1024 * 2 ** 20); // the default
    const cap = 256 * 2 ** 10;
    const before = setWebgpuPoolLimit(backend, cap);
    try {
      const start = pool.numBytesAllocated;
      const freeBefore = start - pool.numBytesUsed;
      const bounded = await churn(pool, 24, 16_384);
      // one working set: x, y and the read-back staging buffer of the largest round, plus uniforms
      const workingSet = 3 * bounded.largest + 64 * 2 ** 10;
      expect(bounded.free).toBeLessThanOrEqual(Math.max(cap, freeBefore));
      expect(bounded.peak).toBeLessThanOrEqual(start + cap + workingSet);
      // Unbounded (the default cap), the same churn with new sizes keeps every freed buffer.
      setWebgpuPoolLimit(backend, before);
      const kept = await churn(pool, 24, 65_536);
      expect(kept.free).toBeGreaterThan(bounded.free + 24 * 65_536 * 4);
      console.log(
        `pool: cap ${cap} B -> free ${bounded.free} B, peak ${bounded.peak - start} B over start; default cap -> free ${kept.free} B`,
      );
    } finally {
      setWebgpuPoolLimit(backend, before);
    }
  });

  it('poolLimitBytes reads BIOMED_WEBGPU_POOL_MB', () => {
    const saved = process.env['BIOMED_WEBGPU_POOL_MB'];
    try {
      process.env['BIOMED_WEBGPU_POOL_MB'] = '64';
      expect(poolLimitBytes()).toBe(64 * 2 ** 20);
      process.env['BIOMED_WEBGPU_POOL_MB'] = '0';
      expect(poolLimitBytes()).toBe(0);
    } finally {
      if (saved === undefined) delete process.env['BIOMED_WEBGPU_POOL_MB'];
      else process.env['BIOMED_WEBGPU_POOL_MB'] = saved;
    }
  });
});

describe('dispatches per train step for the backend line', () => {
  it('counts one clean interval between steps, once; validation or a checkpoint in between does not count', () => {
    let total = 0;
    const t = stepDispatchTracker(() => total);
    total += 130; // step 1 (one-off work: Adam moments)
    expect(t.step()).toBeUndefined();
    total += 40; // validation after step 1
    t.interrupt();
    total += 100; // step 2: its interval began before the validation
    expect(t.step()).toBeUndefined();
    total += 100; // step 3
    expect(t.step()).toBe(100);
    total += 100;
    expect(t.step()).toBeUndefined(); // reported once
  });

  it('reads the WebGPU counter of the backend by default', async () => {
    await onBackend('webgpu');
    const t = stepDispatchTracker();
    t.step();
    const x = tf.add(tf.fill([4096], 1), tf.fill([4096], 2));
    await x.data();
    x.dispose();
    expect(t.step()).toBeGreaterThanOrEqual(1);
  });
});
