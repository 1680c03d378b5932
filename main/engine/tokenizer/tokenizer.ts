import { decode as bpeDecode, encode as bpeEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { BOS, buildTrimmedVocab, EOS, type TrimmedVocabOptions, UNK, type Vocab } from './vocab';

/** Receives a message when a sequence is truncated. */
export type WarnFn = (message: string) => void;

const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * GPT-2 byte-level BPE ids of a text (r50k_base equals GPT-2's encoder.json). Special-token
 * spellings such as `<|endoftext|>` in user data are encoded as plain text, never rejected.
 */
export function bpe(text: string): number[] {
  return bpeEncode(text, PLAIN_TEXT);
}

/**
 * GPT-2 BPE text <-> model ids of a {@link Vocab}. Texts are encoded as fairseq/OFA do:
 * BPE ids, mapped through the dictionary, then `<s> ... </s>` around them where asked.
 */
export class Tokenizer {
  readonly vocab: Vocab;
  private readonly warn: WarnFn;
  /** How many sequences were truncated so far (also reported through `warn`). */
  truncations = 0;

  constructor(vocab: Vocab, warn: WarnFn = (m) => console.warn(m)) {
    this.vocab = vocab;
    this.warn = warn;
  }

  get size(): number {
    return this.vocab.size;
  }

  /** Model ids of a text, no specials; BPE ids missing from a trimmed vocabulary become `<unk>`. */
  encode(text: string): number[] {
    return bpe(text).map((t) => this.vocab.id(String(t)));
  }

  /**
   * `[<s>] + ids + [</s>]`, the body cut to `maxTokens` (specials excluded) with a warning,
   * as OFA cuts the question to max_src_length.
   */
  encodeWithSpecials(text: string, maxTokens: number, what = 'sequence'): number[] {
    let ids = this.encode(text);
    if (ids.length > maxTokens) {
      this.truncations++;
      this.warn(`${what} of ${ids.length} tokens truncated to ${maxTokens}`);
      ids = ids.slice(0, maxTokens);
    }
    return [BOS, ...ids, EOS];
  }

  /** Text of model ids: specials are dropped, symbols outside BPE (`<unk>`, bins) are skipped. */
  decode(ids: readonly number[]): string {
    const out: number[] = [];
    for (const id of ids) {
      if (id === EOS) break;
      if (id < 4 && id !== UNK) continue;
      const sym = this.vocab.symbol(id);
      if (/^\d+$/.test(sym)) out.push(Number(sym));
    }
    return bpeDecode(out).trim();
  }

  /** Ids of `[<s>] + bpe(" " + answer) + [</s>]`, the trie entry of a closed-set answer. */
  answerIds(answer: string): number[] {
    return [BOS, ...this.encode(` ${answer}`), EOS];
  }
}

/** A trimmed vocabulary covering every text given (answers are encoded with a leading space). */
export function trimmedVocabFor(texts: Iterable<string>, opts: TrimmedVocabOptions = {}): Vocab {
  const ids: number[] = [];
  for (const t of texts) {
    ids.push(...bpe(t), ...bpe(` ${t}`));
  }
  return buildTrimmedVocab(ids, opts);
}
