import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend, listBackends } from './index';
import { parseBackendName } from './types';

describe('backend choice', () => {
  afterEach(() => {
    delete process.env['BIOMED_BACKEND'];
  });

  it('parses user spellings', () => {
    expect(parseBackendName('WASM')).toBe('wasm');
    expect(parseBackendName('node')).toBe('tensorflow');
    expect(parseBackendName('cuda')).toBe('node-gpu');
    expect(parseBackendName('metal')).toBeUndefined();
  });

  it('falls past missing native packages to an active backend and says why', async () => {
    const info = await initBackend();
    expect(tf.getBackend()).toBe(info.name);
    const names = info.available.map((p) => p.name);
    expect(names.slice(0, 3)).toEqual(['node-gpu', 'webgpu', 'tensorflow']);
    for (const probe of info.available) {
      if (!probe.ok) expect(probe.reason).toBeTruthy();
    }
    if (info.name === 'wasm') {
      expect(info.simd).toBe(true);
      expect(info.kernels).toContain('BatchMatMul:xnnpack-batched');
      // One thread (as vitest runs): products on the engine's native GEMM where built (ISA and its
      // thread count named), else its FMA GEMM; the threaded build keeps XNNPACK.
      const native = info.kernels.some((k) =>
        /^BatchMatMul:own-gemm-native-(avx512|avx2|scalar)x\d+$/.test(k),
      );
      if (process.env['CI']) expect(native).toBe(true);
      if (info.threads === 1) expect(native || info.kernels.includes('BatchMatMul:own-gemm-fma')).toBe(true);
      else expect(info.kernels.some((k) => k.startsWith('BatchMatMul:own-gemm'))).toBe(false);
    }
    // Idempotent: the same promise result.
    expect(await initBackend()).toBe(info);
  });

  it('honours BIOMED_BACKEND and rejects unknown names', async () => {
    process.env['BIOMED_BACKEND'] = 'cpu';
    const info = await initBackend();
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    process.env['BIOMED_BACKEND'] = 'quantum';
    await expect(initBackend()).rejects.toThrow(/BIOMED_BACKEND/);
  });

  it('lists every backend with a verdict', async () => {
    const info = await listBackends();
    expect(info.available.map((p) => p.name)).toEqual(['node-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']);
    expect(info.available.find((p) => p.name === 'cpu')?.ok).toBe(true);
    expect(tf.getBackend()).toBe(info.name);
  });
});

describe('webgpu', () => {
  it('never chooses a software adapter by itself, and says which one it found', async () => {
    // The test setup points Vulkan at SwiftShader (a CPU implementation).
    const info = await listBackends();
    const probe = info.available.find((p) => p.name === 'webgpu');
    expect(info.name).not.toBe('webgpu');
    expect(probe?.ok).toBe(false);
    expect(probe?.reason).toMatch(/software adapter \(SwiftShader/);
    expect(probe?.adapter).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true });
    expect(probe?.adapter?.limits.maxBufferSize).toBeGreaterThan(0);
  });
});

describe('optional native packages', () => {
  it('turns a present-but-broken tfjs-node into a readable reason', async () => {
    const { requireOptional } = await import('./loaders');
    const broken = () => {
      throw new Error(
        "Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'\nRequire stack: ...",
      );
    };
    expect(() => requireOptional('@tensorflow/tfjs-node', broken)).toThrow(
      /^@tensorflow\/tfjs-node not loadable: Cannot find module .*tfjs_binding\.node'$/,
    );
    const ok = (id: string) => (id.endsWith('package.json') ? { version: '4.22.0' } : {});
    expect(requireOptional('@tensorflow/tfjs-node', ok)).toEqual({ version: '4.22.0' });
  });
});
