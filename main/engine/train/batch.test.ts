import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { Tokenizer, trimmedVocabFor } from '#main/engine/tokenizer/tokenizer';
import { BOS, EOS, PAD } from '#main/engine/tokenizer/vocab';
import { type PreparedBatch, prepareBatch } from './batch';

beforeAll(() => initBackend({ prefer: 'cpu', strict: true }));

const candidates = ['yes', 'no', 'left lung'];
const tok = new Tokenizer(trimmedVocabFor(['is it?', 'where is it?', ...candidates]));
const config = tinyTestConfig({ vocabSize: tok.size });
const img = { data: new Uint8Array(5 * 5), width: 5, height: 5, channels: 1 };

describe('prepareBatch', () => {
  let b: PreparedBatch;
  beforeAll(() => {
    b = prepareBatch(
      [
        { source: 'is it?', target: 'yes', image: img, candidates },
        { source: 'where is it?', target: 'left lung', candidates },
      ],
      tok,
      config,
    );
  });
  it('lays out source, decoder input and target as OFA does, right-padded', () => {
    const t = b.tgtLen;
    const left = tok.encode(' left lung');
    expect(Array.from(b.prevTokens.subarray(t, 2 * t))).toEqual([BOS, ...left]);
    expect(Array.from(b.targets.subarray(t, 2 * t))).toEqual([...left, EOS]);
    expect(Array.from(b.targets.subarray(0, t))).toEqual([
      ...tok.encode(' yes'),
      EOS,
      ...new Array(t - 2).fill(PAD),
    ]);
    expect(b.srcTokens[0]).toBe(BOS);
    expect(b.ntokens).toBe(2 + left.length + 1);
  });
  it('marks which examples have an image', () => {
    expect(Array.from(b.imageMask ?? [])).toEqual([1, 0]);
    expect(b.images).toHaveLength(2 * config.imageSize * config.imageSize * 3);
  });
  it('allows exactly the trie continuations at each answer position', () => {
    const v = b.vocabSize;
    const allowedAt = (row: number, t: number) => {
      const m =
        b.allowed?.subarray((row * b.tgtLen + t) * v, (row * b.tgtLen + t + 1) * v) ?? new Uint8Array();
      return [...m.keys()].filter((i) => m[i] === 1).sort((x, y) => x - y);
    };
    const firsts = [...new Set(candidates.map((c) => tok.encode(` ${c}`)[0] as number))].sort(
      (x, y) => x - y,
    );
    expect(allowedAt(0, 0)).toEqual(firsts);
    expect(allowedAt(0, 1)).toEqual([EOS]);
    const left = tok.encode(' left lung');
    expect(allowedAt(1, 1)).toEqual([left[1]]);
  });
  it('puts the question in the decoder with promptInDecoder (OFA prompt_type=prev_output)', () => {
    const p = prepareBatch([{ source: 'is it?', target: 'yes', candidates }], tok, config, {
      promptInDecoder: true,
    });
    const q = tok.encode(' is it?');
    const yes = tok.encode(' yes');
    expect(p.decoderPrefixes[0]).toEqual(q);
    expect(Array.from(p.prevTokens)).toEqual([BOS, ...q, ...yes]);
    expect(Array.from(p.targets)).toEqual([...q.map(() => PAD), ...yes, EOS]);
    expect(p.ntokens).toBe(yes.length + 1);
    // the trie applies from the answer on: after the question, the first answer tokens are allowed
    const v = p.vocabSize;
    const row = p.allowed?.subarray(q.length * v, (q.length + 1) * v) ?? new Uint8Array();
    expect([...row.keys()].filter((i) => row[i] === 1).length).toBe(
      new Set(candidates.map((c) => tok.encode(` ${c}`)[0])).size,
    );
  });

  it('leaves training unconstrained when some example has no candidates', () => {
    const u = prepareBatch(
      [
        { source: 'is it?', target: 'yes' },
        { source: 'is it?', target: 'no', candidates },
      ],
      tok,
      config,
    );
    expect(u.allowed).toBeUndefined();
  });
});
