import { describe, expect, it } from 'vitest';
import { presetConfig } from '#shared/model/presets';
import { gpuFit, largestBuffers } from './gpu-fit';
import type { GpuAdapterInfo } from './types';

const adapter = (bufferMiB: number): GpuAdapterInfo => ({
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H200',
  software: false,
  limits: {
    maxBufferSize: bufferMiB * 2 ** 20,
    maxStorageBufferBindingSize: bufferMiB * 2 ** 20,
    maxStorageBuffersPerShaderStage: 8,
    maxComputeWorkgroupStorageSize: 32768,
    maxComputeInvocationsPerWorkgroup: 1024,
  },
});
const bench = { batchSize: 8, sourceLength: 32, targetLength: 32, training: true };

describe('gpuFit', () => {
  it("names the Base embedding, larger than WebGPU's default 128 MiB binding", () => {
    const base = presetConfig('Base');
    const emb = largestBuffers(base, bench).find((b) => b.name.startsWith('embedding'));
    expect(emb?.bytes).toBe(59457 * 768 * 4); // 183 MB
    const fit = gpuFit(base, bench, adapter(128));
    expect(fit.ok).toBe(false);
    expect(fit.reason).toMatch(
      /^Base at batch 8 needs one buffer of \d+ MiB \(.+\); NVIDIA H200 allows 128 MiB per buffer$/,
    );
  });

  it('fits Base on a large adapter, and refuses it when the device memory is too small', () => {
    const base = presetConfig('Base');
    const fit = gpuFit(base, bench, adapter(4096), 80 * 2 ** 30);
    expect(fit.ok).toBe(true);
    expect(fit.totalBytes).toBeGreaterThan(4 * 182e6 * 3); // weights, gradients, Adam
    const small = gpuFit(base, bench, adapter(4096), 2 * 2 ** 30);
    expect(small.ok).toBe(false);
    expect(small.reason).toMatch(/needs about [\d,]+ MiB for a training step; NVIDIA H200 has 2,048 MiB/);
  });

  it('XLarge at batch 8 (image + 32 + 32 tokens) fits an 80 GB GPU by the estimate, the loss in chunks', () => {
    const xl = presetConfig('XLarge');
    const fit = gpuFit(xl, bench, adapter(2048), 80e9);
    expect(fit.ok).toBe(true);
    expect(fit.totalBytes).toBeLessThan(0.9 * 80e9);
    expect(fit.totalBytes).toBeGreaterThan(16 * 930e6); // params, moments, gradients at least
    // the logits (8 x 32 x 59,457 floats) no longer need one buffer: not among the largest
    expect(largestBuffers(xl, bench).some((b) => b.name.startsWith('logits'))).toBe(false);
  });
});
