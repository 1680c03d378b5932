import { describe, expect, it } from 'vitest';
import { BOS, EOS } from '#main/engine/tokenizer/vocab';
import { advanceBeams, type Beam, type Hypothesis } from './search';

const V = 8;
/** A log-prob row with the given tokens set, the rest -20. */
function row(entries: Record<number, number>): Float32Array {
  const r = new Float32Array(V).fill(-20);
  for (const [t, lp] of Object.entries(entries)) r[Number(t)] = lp;
  return r;
}

describe('advanceBeams (one example, one step)', () => {
  it('an example finishing its k-th hypothesis mid-step returns exactly k reorder rows', () => {
    // k = 3, one hypothesis already finished; this step's ranking is: 5 (live), </s>, </s> -> the
    // example finishes with 3. The live beam pushed before that left its row in the reorder
    // index (k + 1 rows): beam 10 over 8 captions grew the cache to 106 rows, not 80.
    const k = 3;
    const beams: Beam[] = [
      { seq: [BOS, 4], logProb: -1 },
      { seq: [BOS, 6], logProb: -1.5 },
      { seq: [BOS, 7], logProb: -9 },
    ];
    const rows = [row({ 5: -0.1, [EOS]: -0.5 }), row({ [EOS]: -0.2, 3: -3 }), row({ 3: -1 })];
    const finished: Hypothesis[] = [{ tokens: [4, 4, EOS], logProb: -3, score: -1 }];
    const r = advanceBeams(beams, (j) => rows[j] as Float32Array, finished, k, {}, undefined);
    expect(finished).toHaveLength(3);
    expect(finished.slice(1).map((h) => h.tokens)).toEqual([
      [4, EOS],
      [6, EOS],
    ]);
    expect(r.from).toHaveLength(k);
    expect(r.next).toHaveLength(k);
    for (const b of r.next) expect(b.logProb).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps the best k live continuations and their source rows while unfinished', () => {
    const k = 2;
    const beams: Beam[] = [
      { seq: [BOS, 4], logProb: -1 },
      { seq: [BOS, 6], logProb: -2 },
    ];
    const rows = [row({ 5: -0.1, 3: -2 }), row({ 3: -0.1, [EOS]: -3 })];
    const finished: Hypothesis[] = [];
    const r = advanceBeams(beams, (j) => rows[j] as Float32Array, finished, k, {}, undefined);
    expect(finished).toHaveLength(0);
    expect(r.next.map((b) => b.seq)).toEqual([
      [BOS, 4, 5],
      [BOS, 6, 3],
    ]);
    expect(r.from).toEqual([0, 1]);
  });
});
