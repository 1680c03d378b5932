import { describe, expect, it } from 'vitest';
import { ImportAborted, Problems } from '#main/data/problems';
import { jsonErrorOffset, parseJson, topLevelLines } from './json';

describe('JSON with positions', () => {
  it('finds the offset of the first syntax error', () => {
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
    expect(jsonErrorOffset('{"a": [1, 2,, 3]}')).toBe(12);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
  });

  it('reports file:line:col and aborts', () => {
    const problems = new Problems();
    expect(() => parseJson('[\n  {"a": 1},\n  {"b" 2}\n]', 'x.json', problems)).toThrowError(ImportAborted);
    expect(problems.list[0]).toMatchObject({ file: 'x.json', line: 3, column: 8 });
  });

  it('gives the line of each top-level record', () => {
    expect(topLevelLines('[\n {"a": "x,y"},\n\n {"b": [1,\n2]},\n 3\n]')).toEqual([2, 4, 6]);
    expect(topLevelLines('{\n "k1": {},\n "k2": 1\n}')).toEqual([2, 3]);
  });
});
