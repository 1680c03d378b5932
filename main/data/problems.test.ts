import { describe, expect, it } from 'vitest';
import { formatProblem, ImportAborted, Problems } from './problems';

describe('Problems', () => {
  it('keeps up to max problems, counts the rest, and formats file:line:col', () => {
    const p = new Problems(2);
    p.error('a.json', 'bad', { line: 3, column: 7, field: 'x' });
    p.warn('b.tsv', 'odd', { line: 1 });
    p.error('c.txt', 'worse');
    expect(p.errorCount).toBe(2);
    expect(p.list).toHaveLength(3);
    expect(p.list[2]!.message).toBe('1 more problem(s) not listed');
    expect(formatProblem(p.list[0]!)).toBe('a.json:3:7: bad (field "x")');
    expect(() => p.fail('d.json', 'stop')).toThrowError(ImportAborted);
  });
});
