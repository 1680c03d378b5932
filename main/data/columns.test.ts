import { describe, expect, it } from 'vitest';
import { NumberColumn, StringColumn, StringIndex } from './columns';

describe('columns out of the JavaScript heap', () => {
  it('a number column grows and gives back what was pushed, in order', () => {
    const c = new NumberColumn();
    for (let i = 0; i < 5000; i++) expect(c.push(i * 7 - 3)).toBe(i);
    expect(c.length).toBe(5000);
    expect(c.at(4999)).toBe(4999 * 7 - 3);
    expect([...c.values().subarray(0, 3)]).toEqual([-3, 4, 11]);
  });

  it('a string column gives back every string, empty and non-ASCII ones too, past its first buffer', () => {
    const c = new StringColumn();
    const strings = Array.from({ length: 3000 }, (_, i) =>
      i % 5 === 0 ? '' : `dicom-${i}-é-\u{1F600}-${'x'.repeat(i % 50)}`,
    );
    for (const s of strings) c.push(s);
    expect(c.length).toBe(3000);
    expect(strings.every((s, i) => c.at(i) === s)).toBe(true);
    expect(c.equals(1, Buffer.from(strings[1]!))).toBe(true);
    expect(c.equals(1, Buffer.from(strings[2]!))).toBe(false);
    expect(c.equals(0, Buffer.alloc(0))).toBe(true);
  });

  it('a string index finds each key, takes a new number for a key set again, and knows what it lacks', () => {
    const ix = new StringIndex();
    for (let i = 0; i < 20_000; i++) ix.set(`${i.toString(16).padStart(8, '0')}-bde0afdd`, i % 7);
    ix.set('00000003-bde0afdd', 6);
    expect(ix.size).toBe(20_000);
    expect(ix.get('00000003-bde0afdd')).toBe(6);
    expect(ix.get('00004e1f-bde0afdd')).toBe(19_999 % 7);
    expect(ix.get('00004e20-bde0afdd')).toBeUndefined();
    expect(ix.get('')).toBeUndefined();
    ix.set('', 5);
    expect(ix.get('')).toBe(5);
  });
});
