import { describe, expect, it } from 'vitest';
import { CPU_RUNG_LR, cpuRungLr, defaultLr } from './cpu-recipe';
import { PRESETS } from './presets';

describe('the CPU rungs learning-rate rule', () => {
  it('is one rate, 1.6e-4, for every CPU rung (as the papers keep one rate across S, M and B)', () => {
    expect(CPU_RUNG_LR).toBe(1.6e-4);
    expect(cpuRungLr(PRESETS['cpu-xs'])).toBe(CPU_RUNG_LR);
    expect(cpuRungLr(PRESETS['cpu-s'])).toBe(CPU_RUNG_LR);
    expect(cpuRungLr(PRESETS['cpu-m'])).toBe(CPU_RUNG_LR);
  });

  it('applies to CPU rungs from random weights only; paper scales and initialised runs keep the task rate', () => {
    expect(defaultLr('cpu-s', true, 5e-5)).toBe(1.6e-4);
    expect(defaultLr('cpu-s', false, 5e-5)).toBe(5e-5);
    expect(defaultLr('Base', true, 5e-5)).toBe(5e-5);
  });
});
