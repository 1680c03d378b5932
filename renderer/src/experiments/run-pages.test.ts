import { describe, expect, it } from 'vitest';
import type { RunSummary } from '#shared/domain/run';
import { pagesFor, RunPages } from './run-pages';

const run = (id: string, name = id) => ({ id, name }) as RunSummary;

describe('RunPages', () => {
  it('maps visible rows to the pages that hold them', () => {
    expect(pagesFor(0, 10, 200)).toEqual([0]);
    expect(pagesFor(190, 410, 200)).toEqual([0, 1, 2]);
    expect(pagesFor(5, 4, 200)).toEqual([]);
  });
  it('serves rows from loaded pages and patches runs in place', () => {
    const p = new RunPages(5, 2).with(1, [run('c'), run('d')]);
    expect(p.at(0)).toBeUndefined();
    expect(p.at(3)?.id).toBe('d');
    const q = p.patched(run('c', 'renamed'));
    expect(q?.at(2)?.name).toBe('renamed');
    expect(p.at(2)?.name).toBe('c');
    expect(p.patched(run('zz'))).toBeNull();
  });
});
