import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fairseqSymbols, MASK_SYMBOL, SPECIALS, tailSymbols } from '#shared/model/fairseq-vocab';

export { BIN_COUNT, CODE_COUNT, MASK_SYMBOL, SPECIALS } from '#shared/model/fairseq-vocab';

export const BOS = 0;
export const PAD = 1;
export const EOS = 2;
export const UNK = 3;

/** Serialisable description of a vocabulary, stored in checkpoint headers. */
export const VocabJsonSchema = z.object({
  kind: z.enum(['fairseq', 'trimmed']),
  /** Symbol of each model id, in id order: specials, GPT-2 BPE ids as decimal strings, <mask>, <code_i>, <bin_i>. */
  symbols: z.array(z.string()),
});
export type VocabJson = z.infer<typeof VocabJsonSchema>;

/**
 * A bijection between model ids and symbols. A symbol is a fairseq special, a GPT-2 BPE id
 * written as a decimal string (as in fairseq's dict.txt), `<mask>`, `<code_i>` or `<bin_i>`.
 */
export class Vocab {
  readonly kind: 'fairseq' | 'trimmed';
  readonly symbols: readonly string[];
  private readonly index: Map<string, number>;

  constructor(kind: 'fairseq' | 'trimmed', symbols: readonly string[]) {
    for (let i = 0; i < SPECIALS.length; i++) {
      if (symbols[i] !== SPECIALS[i]) throw new Error(`vocabulary must start with ${SPECIALS.join(' ')}`);
    }
    this.kind = kind;
    this.symbols = symbols;
    this.index = new Map(symbols.map((s, i) => [s, i]));
    if (this.index.size !== symbols.length) throw new Error('vocabulary has duplicate symbols');
  }

  get size(): number {
    return this.symbols.length;
  }

  /** Model id of a symbol, or `<unk>`. */
  id(symbol: string): number {
    return this.index.get(symbol) ?? UNK;
  }

  has(symbol: string): boolean {
    return this.index.has(symbol);
  }

  symbol(id: number): string {
    return this.symbols[id] ?? SPECIALS[UNK];
  }

  toJSON(): VocabJson {
    return { kind: this.kind, symbols: [...this.symbols] };
  }

  static fromJSON(json: unknown): Vocab {
    const v = VocabJsonSchema.parse(json);
    return new Vocab(v.kind, v.symbols);
  }
}

/**
 * The published checkpoints' id space (59,457 ids): specials, then every line of fairseq's
 * `dict.txt` (first field), then `<mask>`, 8,192 codes and 1,000 bins (spec §1.3).
 * The dictionary is read from a path the caller gives (e.g. ../shared/spec/vocab/dict.txt).
 */
export function loadFairseqVocab(dictPath: string): Vocab {
  return new Vocab('fairseq', fairseqSymbols(readFileSync(dictPath, 'utf8')));
}

/** Options for {@link buildTrimmedVocab}. */
export interface TrimmedVocabOptions {
  /** Add the 1,000 location bins (for detection/grounding tasks). Default false. */
  readonly withBins?: boolean;
}

/**
 * A small id space for CPU rungs: specials, `<mask>`, then only the BPE ids the data uses
 * (ascending), optionally the location bins.
 */
export function buildTrimmedVocab(bpeIds: Iterable<number>, opts: TrimmedVocabOptions = {}): Vocab {
  const used = [...new Set(bpeIds)].sort((a, b) => a - b).map(String);
  return new Vocab('trimmed', [
    ...SPECIALS,
    MASK_SYMBOL,
    ...used,
    ...(opts.withBins ? tailSymbols(false, true).slice(1) : []),
  ]);
}
