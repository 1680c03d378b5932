import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPickle } from './pickle';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

// Written by Python's pickle (protocols 2 and 4) from PathVQA-shaped records.
const EXPECTED = [
  { img_id: 'train_0001', question_id: 1, sent: 'what is present?', label: { necrosis: 1 } },
  { img_id: 'train_0001', question_id: 2, sent: 'is this benign?', label: { yes: 1 } },
  { img_id: 'train_0002', question_id: 3, sent: 'what is seen?', label: { fibrosis: 0.3, necrosis: 0.9 } },
];

describe('readPickle', () => {
  it('reads protocol 2 and protocol 4 pickles of lists, dicts, strings and numbers', () => {
    expect(readPickle(fixture('pathvqa-train-p2.pkl'))).toEqual(EXPECTED);
    expect(readPickle(fixture('pathvqa-train-p4.pkl'))).toEqual(EXPECTED);
  });

  it('fails on a truncated pickle with the byte offset', () => {
    const bytes = fixture('pathvqa-train-p4.pkl');
    expect(() => readPickle(bytes.subarray(0, 100))).toThrowError(/truncated at byte \d+/);
  });
});
