import { describe, expect, it } from 'vitest';
import { PROBE_NOTE, probeFilter } from './probe-noise';

describe('backend probe noise', () => {
  it('drops the Vulkan loader lines and says once which backend was not found', () => {
    const f = probeFilter();
    const lines = [
      'vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER',
      'Warning: vkCreateInstance failed: VK_ERROR_INITIALIZATION_FAILED',
      'step 1 loss 3.2',
      'Error: out of memory',
    ].map(f);
    expect(lines).toEqual([PROBE_NOTE, null, 'step 1 loss 3.2', 'Error: out of memory']);
  });
});
