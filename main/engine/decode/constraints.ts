import { BOS, EOS, PAD } from '#main/engine/tokenizer/vocab';
import type { Trie } from '#main/engine/train/trie';

/** Decoding rules shared by greedy and beam search (fairseq semantics). */
export interface DecodeOptions {
  /** Beam width; 1 = greedy-equivalent beam. */
  readonly beamSize?: number;
  /** Most tokens generated, </s> included (fairseq max_len_b with max_len_a 0). */
  readonly maxLen?: number;
  /** Fewest tokens before </s> is allowed. */
  readonly minLen?: number;
  /** Finished scores are divided by length^lenPenalty (unless unnormalized). */
  readonly lenPenalty?: number;
  /** fairseq --unnormalized: rank by summed log-prob. */
  readonly unnormalized?: boolean;
  /** Ban any n-gram of this size from repeating (0 = off). */
  readonly noRepeatNgram?: number;
}

/** Sets banned next tokens to -Infinity in one row of log-probs, in place. */
export function maskRow(
  row: Float32Array,
  prefix: readonly number[],
  opts: DecodeOptions,
  trie: Trie | undefined,
): void {
  row[PAD] = Number.NEGATIVE_INFINITY;
  row[BOS] = Number.NEGATIVE_INFINITY;
  const generated = prefix.length - 1; // prefix starts with <s>
  if (trie) {
    const allowed = new Set(trie.next(prefix));
    for (let i = 0; i < row.length; i++) if (!allowed.has(i)) row[i] = Number.NEGATIVE_INFINITY;
  }
  if (generated < (opts.minLen ?? 1)) row[EOS] = Number.NEGATIVE_INFINITY;
  if (generated + 1 >= (opts.maxLen ?? 30)) {
    const eos = row[EOS] ?? Number.NEGATIVE_INFINITY;
    row.fill(Number.NEGATIVE_INFINITY);
    row[EOS] = Number.isFinite(eos) ? eos : 0; // forced stop
  }
  const n = opts.noRepeatNgram ?? 0;
  if (n > 0 && prefix.length >= n) {
    const tail = prefix.slice(prefix.length - n + 1).join(',');
    for (let i = 0; i + n <= prefix.length; i++) {
      if (prefix.slice(i, i + n - 1).join(',') === tail)
        row[prefix[i + n - 1] as number] = Number.NEGATIVE_INFINITY;
    }
  }
}
