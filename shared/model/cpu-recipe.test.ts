import { describe, expect, it } from 'vitest';
import { CPU_RUNG_BASE_LR, cpuRungLr, defaultLr } from './cpu-recipe';
import { PRESETS } from './presets';

describe('the CPU rungs learning-rate rule', () => {
  it('is 5e-4 at width 64 and falls as 1/width up the ladder', () => {
    expect(cpuRungLr(PRESETS['cpu-xs'])).toBeCloseTo(5e-4, 12);
    expect(cpuRungLr(PRESETS['cpu-s'])).toBeCloseTo(2.5e-4, 12);
    expect(cpuRungLr(PRESETS['cpu-m'])).toBeCloseTo(1.25e-4, 12);
    expect(cpuRungLr({ dModel: 64 })).toBe(CPU_RUNG_BASE_LR);
  });

  it('applies to CPU rungs from random weights only; paper scales and initialised runs keep the task rate', () => {
    expect(defaultLr('cpu-s', true, 5e-5)).toBeCloseTo(2.5e-4, 12);
    expect(defaultLr('cpu-s', false, 5e-5)).toBe(5e-5);
    expect(defaultLr('Base', true, 5e-5)).toBe(5e-5);
  });
});
