import { describe, expect, it } from 'vitest';
import { configDiff, flatten } from './config-diff';

describe('configDiff', () => {
  it('keeps only keys that differ, flattened and sorted', () => {
    const a = { scale: 'cpu-xs', hp: { lr: 5e-5, epochs: 2, betas: [0.9, 0.999] }, seed: 1 };
    const b = { scale: 'cpu-s', hp: { lr: 5e-5, epochs: 3, betas: [0.9, 0.999] }, seed: 1, extra: true };
    expect(configDiff([a, b])).toEqual([
      { key: 'extra', values: ['—', 'true'] },
      { key: 'hp.epochs', values: ['2', '3'] },
      { key: 'scale', values: ['cpu-xs', 'cpu-s'] },
    ]);
  });
  it('returns nothing for identical configs and flattens arrays as leaves', () => {
    expect(configDiff([{ a: 1 }, { a: 1 }])).toEqual([]);
    expect([...flatten({ x: [1, 2], y: {} })]).toEqual([
      ['x', '[1,2]'],
      ['y', '{}'],
    ]);
  });
});

describe('configDiff noise', () => {
  it('leaves out estimates and shows floats to 6 significant digits', () => {
    const rows = configDiff([
      { estimate: { seconds: 1 }, hp: { epochs: 0.05947955390334572 } },
      { estimate: { seconds: 2 }, hp: { epochs: 0.024783147459727387 } },
    ]);
    expect(rows).toEqual([{ key: 'hp.epochs', values: ['0.0594796', '0.0247831'] }]);
  });
});
