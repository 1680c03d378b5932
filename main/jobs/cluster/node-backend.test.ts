import { describe, expect, it } from 'vitest';
import type { BackendInfo, GpuAdapterInfo } from '#main/engine/backend/index';
import { describeNodeBackend, type NodeGpuFacts, nodeGpuFacts } from './node-backend';

const limits = {
  maxBufferSize: 2 ** 30,
  maxStorageBufferBindingSize: 2 ** 30,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 32768,
  maxComputeInvocationsPerWorkgroup: 1024,
};
const h100: GpuAdapterInfo = {
  vendor: 'nvidia',
  architecture: 'hopper',
  device: '',
  description: 'NVIDIA H100 80GB HBM3',
  software: false,
  limits,
};
const info = (over: Partial<BackendInfo>): BackendInfo => ({
  name: 'wasm',
  version: '4.22.0',
  device: 'cpu',
  threads: 1,
  simd: true,
  available: [],
  kernels: [],
  ...over,
});
const facts = (over: Partial<NodeGpuFacts>): NodeGpuFacts => ({
  allocated: null,
  nvidiaDriver: false,
  vulkanLoader: '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  icdSearched: ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d'],
  icds: [],
  ...over,
});
const noAdapter = {
  name: 'webgpu' as const,
  ok: false,
  reason: 'no WebGPU adapter found (no Vulkan/Metal/D3D12 driver visible)',
};

describe('the backend a node worker would choose', () => {
  it('names the adapter when WebGPU is chosen', () => {
    const line = describeNodeBackend(
      info({ name: 'webgpu', device: 'gpu', adapter: h100 }),
      facts({ allocated: '0', icds: ['/usr/share/vulkan/icd.d/nvidia_icd.json'] }),
    );
    expect(line).toBe('webgpu (NVIDIA H100 80GB HBM3, nvidia hopper)');
  });

  it('says a GPU was allocated but the NVIDIA Vulkan ICD is missing, and which backend is used instead', () => {
    const line = describeNodeBackend(
      info({ available: [noAdapter] }),
      facts({ allocated: '0', nvidiaDriver: true }),
    );
    expect(line).toMatch(/^wasm \(no GPU adapter: no WebGPU adapter found/);
    expect(line).toMatch(
      /Slurm allocated GPU\(s\) 0 but no NVIDIA Vulkan ICD \(nvidia_icd\.json\) was found in \/etc\/vulkan\/icd\.d, \/usr\/share\/vulkan\/icd\.d:/,
    );
    expect(line).not.toMatch(/no NVIDIA driver is loaded/);
    expect(line).toMatch(/wasm is used instead\)$/);
  });

  it('names a missing Vulkan loader, and stays short where no GPU was asked for', () => {
    const line = describeNodeBackend(info({ available: [noAdapter] }), facts({ vulkanLoader: null }));
    expect(line).toMatch(/libvulkan\.so\.1 missing \(install libvulkan1/);
    expect(line).not.toMatch(/allocated|instead/);
  });

  it('reads the allocation from Slurm and the ICDs VK_ICD_FILENAMES names', () => {
    const f = nodeGpuFacts({ SLURM_JOB_GPUS: '1', VK_ICD_FILENAMES: '/nonexistent/nvidia_icd.json' });
    expect(f.allocated).toBe('1');
    expect(f.icdSearched).toEqual(['/nonexistent/nvidia_icd.json']);
    expect(f.icds).toEqual([]);
    expect(nodeGpuFacts({}).allocated).toBeNull();
  });
});
