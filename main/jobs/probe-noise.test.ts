import { describe, expect, it } from 'vitest';
import { backendsNote, probeFilter } from './probe-noise';

describe('backend probe noise', () => {
  it('drops the Vulkan loader lines from the log and keeps the rest', () => {
    const f = probeFilter();
    const lines = [
      'vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
      'Warning: vkCreateInstance failed: VK_ERROR_INITIALIZATION_FAILED',
      'step 1 loss 3.2',
      'Error: out of memory',
    ].map(f);
    expect(lines).toEqual([null, null, 'step 1 loss 3.2', 'Error: out of memory']);
  });

  it('names, once and in words, every backend that was not found and the one in use', () => {
    const note = backendsNote({
      name: 'wasm',
      available: [
        {
          name: 'node-gpu',
          ok: false,
          reason: "@tensorflow/tfjs-node-gpu not loadable: Cannot find module '@tensorflow/tfjs-node-gpu'",
        },
        {
          name: 'webgpu',
          ok: false,
          reason:
            'no WebGPU adapter found (no Vulkan/Metal/D3D12 driver visible; on Linux check libvulkan1 and VK_ICD_FILENAMES)',
        },
        {
          name: 'tensorflow',
          ok: false,
          reason:
            "@tensorflow/tfjs-node not loadable: Cannot find module '/x/node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node'",
        },
        { name: 'wasm', ok: true },
        { name: 'cpu', ok: false, reason: "not tried: 'wasm' was chosen first" },
      ],
    });
    expect(note).toBe(
      'Backends not available here: node-gpu (not installed), webgpu (no hardware adapter), tensorflow (installed without its native binding); using wasm',
    );
  });

  it('says a software WebGPU adapter was passed over, and says only the backend when all were found', () => {
    expect(
      backendsNote({
        name: 'wasm',
        available: [
          {
            name: 'webgpu',
            ok: false,
            reason: 'only a software adapter (SwiftShader): not chosen automatically',
          },
          { name: 'wasm', ok: true },
        ],
      }),
    ).toBe('Backends not available here: webgpu (only a software adapter); using wasm');
    expect(backendsNote({ name: 'node-gpu', available: [{ name: 'node-gpu', ok: true }] })).toBe(
      'Backends: using node-gpu',
    );
  });
});
