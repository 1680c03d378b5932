import { describe, expect, it } from 'vitest';
import { assignSplits } from './splits';

const opts = { seed: 5, validationFraction: 0.1, testFraction: 0.1 };

describe('assignSplits', () => {
  it('draws 80/10/10 by group, deterministically, never splitting a group', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ group: `img${Math.floor(i / 4)}` }));
    const a = assignSplits(items, opts);
    expect(a.official).toEqual([]);
    const count = (s: string) => a.splits.filter((x) => x === s).length;
    expect(count('validation')).toBe(100);
    expect(count('test')).toBe(100);
    const byGroup = new Map<string, Set<string>>();
    for (const [k, it] of items.entries())
      byGroup.set(it.group, (byGroup.get(it.group) ?? new Set()).add(a.splits[k]!));
    expect([...byGroup.values()].every((s) => s.size === 1)).toBe(true);
    expect(assignSplits(items, opts).splits).toEqual(a.splits);
    expect(assignSplits(items, { ...opts, seed: 6 }).splits).not.toEqual(a.splits);
  });

  it('keeps official splits and draws validation only from train groups not used by test', () => {
    const items = [
      ...Array.from({ length: 90 }, (_, i) => ({ group: `g${i}`, split: 'train' as const })),
      { group: 'g0', split: 'test' as const },
      ...Array.from({ length: 9 }, (_, i) => ({ group: `t${i}`, split: 'test' as const })),
    ];
    const a = assignSplits(items, opts);
    expect(a.official).toEqual(['train', 'test']);
    expect(a.splits.slice(90)).toEqual(Array(10).fill('test'));
    expect(a.splits.filter((s) => s === 'validation')).toHaveLength(9);
    expect(a.splits[0]).toBe('train'); // g0 also has a test question: it cannot move to validation
  });

  it('never moves the last training examples into a drawn split', () => {
    // 20 copies of one image are one group: drawing it would leave train empty.
    const one = assignSplits(
      Array.from({ length: 20 }, () => ({ group: 'same' })),
      opts,
    );
    expect(one.splits).toEqual(Array(20).fill('train'));
    // Two groups: the drawn split may take one, train keeps the other.
    const two = assignSplits(
      Array.from({ length: 20 }, (_, i) => ({ group: i < 10 ? 'a' : 'b' })),
      opts,
    );
    expect(two.splits.filter((s) => s === 'train').length).toBeGreaterThan(0);
  });
});
