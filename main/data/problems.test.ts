import { describe, expect, it } from 'vitest';
import { formatProblem, formatSkipped, ImportAborted, Problems } from './problems';

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

describe('invalidUtf8', () => {
  it('finds the start of each bad sequence and accepts valid text', async () => {
    const { invalidUtf8 } = await import('./fs-utils');
    expect(invalidUtf8(Buffer.from('héllo ✓ 𝄞', 'utf8'))).toEqual([]);
    expect(
      invalidUtf8(Uint8Array.from([0x61, 0xe9, 0x74, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82])),
    ).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('skip', () => {
  it('lists each skipped record once per call, counts records once, and errors under strict', () => {
    const p = new Problems();
    p.skip({ file: 'a.json', id: 'q7', line: 3 }, 'answer', 'the field is empty');
    p.skip({ file: 'a.json', id: 'q7', line: 3 }, 'question', 'the field is missing');
    expect(p.skippedCount).toBe(1);
    expect(p.errorCount).toBe(0);
    expect(p.skipped.map(formatSkipped)).toEqual([
      'a.json:3: record q7: the field is empty (field "answer")',
      'a.json:3: record q7: the field is missing (field "question")',
    ]);
    const strict = new Problems(500, true);
    strict.skip({ file: 'a.json', id: 'q7', line: 3 }, 'answer', 'the field is empty');
    expect(strict.errorCount).toBe(1);
    expect(formatProblem(strict.list[0]!)).toBe('a.json:3: record q7: the field is empty (field "answer")');
  });
});
