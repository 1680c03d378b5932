import { describe, expect, it } from 'vitest';
import type { AlignmentSpec } from './alignment';
import { alignmentAccuracy, isAligned } from './alignment';
import { loadVectors } from './vectors/load-vectors';

interface RawSpec {
  kind: AlignmentSpec['kind'];
  candidates?: string[];
  max_words?: number;
}
interface Case {
  answer: string;
  spec: RawSpec;
  aligned: boolean;
}
const v = loadVectors<{ cases: Case[]; accuracy: number }>('alignment.json');

function toSpec(s: RawSpec): AlignmentSpec {
  switch (s.kind) {
    case 'candidates':
      return { kind: 'candidates', candidates: s.candidates ?? [] };
    case 'free_text':
      return s.max_words === undefined ? { kind: 'free_text' } : { kind: 'free_text', maxWords: s.max_words };
    default:
      return { kind: s.kind };
  }
}

describe('alignment accuracy', () => {
  it.each(v.cases.map((c) => [`${c.spec.kind}: ${JSON.stringify(c.answer)}`, c] as const))('%s', (_, c) => {
    expect(isAligned(c.answer, toSpec(c.spec))).toBe(c.aligned);
  });
  it('averages over answers with per-answer specs', () => {
    const got = alignmentAccuracy(
      v.cases.map((c) => c.answer),
      v.cases.map((c) => toSpec(c.spec)),
    );
    expect(Math.abs(got - v.accuracy)).toBeLessThan(1e-4);
  });
  it('accepts one spec for all answers', () => {
    expect(alignmentAccuracy(['yes', 'no', 'blue'], { kind: 'yes_no' })).toBeCloseTo(2 / 3, 12);
  });
});
