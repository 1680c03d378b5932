import { describe, expect, it } from 'vitest';
import { backendFlops } from '#shared/model/throughput';
import { estimateScale } from './estimate';

const w = { batchSize: 8, sourceLength: 40, targetLength: 8, steps: 100, withImage: true, backend: 'wasm' };

describe('estimateScale', () => {
  it('ranks the scales: bigger presets have more parameters, memory and time', () => {
    const xs = estimateScale('cpu-xs', w);
    const base = estimateScale('Base', w);
    const xl = estimateScale('XLarge', w);
    expect(xs.params).toBeLessThan(base.params);
    expect(base.params).toBeGreaterThan(150e6);
    expect(base.params).toBeLessThan(220e6);
    expect(xl.memoryBytes).toBeGreaterThan(base.memoryBytes);
    expect(xl.totalSeconds).toBeGreaterThan(base.totalSeconds);
    expect(xs.totalSeconds).toBeCloseTo(xs.secondsPerStep * 100);
  });
  it('is faster on a GPU than on the JavaScript backend', () => {
    expect(backendFlops('node-gpu')).toBeGreaterThan(backendFlops('wasm'));
    expect(backendFlops('something-else')).toBe(backendFlops('cpu'));
    expect(estimateScale('M', { ...w, backend: 'node-gpu' }).secondsPerStep).toBeLessThan(
      estimateScale('M', w).secondsPerStep,
    );
  });
});
