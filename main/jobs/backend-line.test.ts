import { describe, expect, it } from 'vitest';
import { withDispatches } from './backend-line';

describe('withDispatches', () => {
  it('appends the dispatches per step to the backend line, replacing an earlier figure', () => {
    const line = withDispatches('webgpu (4.22.0)', 4506);
    expect(line).toBe('webgpu (4.22.0); 4,506 WebGPU dispatches/step');
    expect(withDispatches(line, 4321)).toBe('webgpu (4.22.0); 4,321 WebGPU dispatches/step');
    expect(withDispatches(null, 12)).toBe('webgpu; 12 WebGPU dispatches/step');
  });
});
