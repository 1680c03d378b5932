import { describe, expect, it } from 'vitest';
import { alignLines } from './align';

describe('alignLines', () => {
  it('puts lines on the union of their x values with gaps as null', () => {
    const out = alignLines([
      { label: 'a', x: [1, 3], y: [10, 30] },
      { label: 'b', x: [2, 3, 4], y: [2, 3, 4] },
    ]);
    expect(out.x).toEqual([1, 2, 3, 4]);
    expect(out.ys).toEqual([
      [10, null, 30, null],
      [null, 2, 3, 4],
    ]);
  });
});
