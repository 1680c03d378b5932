import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Tokenizer, trimmedVocabFor } from './tokenizer';
import { BOS, EOS, loadFairseqVocab, UNK, Vocab } from './vocab';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dictPath = path.join(repoRoot, '../shared/spec/vocab/dict.txt');

describe.skipIf(!existsSync(dictPath))('fairseq vocabulary', () => {
  const vocab = loadFairseqVocab(dictPath);
  it('has 59,457 ids with the spec layout', () => {
    expect(vocab.size).toBe(59457);
    expect(vocab.id('<mask>')).toBe(50264);
    expect(vocab.id('<code_0>')).toBe(50265);
    expect(vocab.id('<bin_0>')).toBe(58457);
    expect(vocab.id('<bin_999>')).toBe(59456);
    // dict.txt line 1 is "13" (".") -> id 4
    expect(vocab.symbol(4)).toBe('13');
  });
  it('encodes through dict.txt order and decodes back', () => {
    const tok = new Tokenizer(vocab);
    const ids = tok.encode(' what does the image describe?');
    // BPE 644 857 262 2939 6901 30, each mapped to its dict.txt line + 4
    expect(ids.map((i) => Number(vocab.symbol(i)))).toEqual([644, 857, 262, 2939, 6901, 30]);
    expect(tok.decode([BOS, ...ids, EOS])).toBe('what does the image describe?');
  });
});

describe('trimmed vocabulary', () => {
  const texts = ['is there a fracture?', 'yes', 'no', 'left lung'];
  const vocab = trimmedVocabFor(texts);
  const tok = new Tokenizer(vocab);
  it('keeps only the tokens used, plus specials and <mask>', () => {
    expect(vocab.size).toBeLessThan(40);
    expect(vocab.symbols.slice(0, 5)).toEqual(['<s>', '<pad>', '</s>', '<unk>', '<mask>']);
  });
  it('round-trips texts of the data and maps unknown tokens to <unk>', () => {
    for (const t of texts) expect(tok.decode(tok.encode(` ${t}`))).toBe(t);
    expect(tok.encode(' zebra')).toContain(UNK);
  });
  it('encodes special-token spellings in user text as plain text', () => {
    expect(() => tok.encode(' <|endoftext|> yes')).not.toThrow();
    const special = new Tokenizer(trimmedVocabFor(['<|endoftext|>']));
    expect(special.decode(special.encode('<|endoftext|>'))).toBe('<|endoftext|>');
  });

  it('serialises to JSON and back', () => {
    const again = Vocab.fromJSON(JSON.parse(JSON.stringify(vocab.toJSON())));
    expect(again.symbols).toEqual(vocab.symbols);
    expect(new Tokenizer(again).encode(' yes')).toEqual(tok.encode(' yes'));
  });
  it('truncates long sequences with a warning', () => {
    const warnings: string[] = [];
    const t = new Tokenizer(vocab, (m) => warnings.push(m));
    const ids = t.encodeWithSpecials(' left lung left lung left lung', 3, 'question');
    expect(ids).toHaveLength(5);
    expect(ids[0]).toBe(BOS);
    expect(ids[4]).toBe(EOS);
    expect(warnings).toHaveLength(1);
    expect(t.truncations).toBe(1);
  });
  it('builds answer trie entries as [bos] + bpe(" " + ans) + [eos]', () => {
    const ids = tok.answerIds('yes');
    expect(ids[0]).toBe(BOS);
    expect(ids.at(-1)).toBe(EOS);
    expect(tok.decode(ids)).toBe('yes');
  });
});
