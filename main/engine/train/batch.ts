import { type ImageInput, preprocessImage } from '#main/engine/image/preprocess';
import type { Tokenizer } from '#main/engine/tokenizer/tokenizer';
import { BOS, EOS, PAD } from '#main/engine/tokenizer/vocab';
import type { ModelConfig } from '#shared/model/config';
import type { ImageNorm } from '#shared/task-hyperparameters';
import { Trie } from './trie';

/** A plain example as the rest of the workbench hands it over. */
export interface Example {
  /** Prompt / question / source text. */
  readonly source: string;
  /** Reference answer / caption / summary (empty for pure inference). */
  readonly target: string;
  readonly image?: ImageInput;
  /** Closed answer set; when every example has one, training and decoding are trie-constrained. */
  readonly candidates?: readonly string[];
}

/** A batch as typed arrays (no tensors: safe to build in a worker and pass around). */
export interface PreparedBatch {
  readonly size: number;
  readonly srcLen: number;
  readonly tgtLen: number;
  readonly vocabSize: number;
  readonly srcTokens: Int32Array; // [B, srcLen]
  readonly prevTokens: Int32Array; // [B, tgtLen] <s> + target
  readonly targets: Int32Array; // [B, tgtLen] target + </s>
  readonly images?: Float32Array; // [B, size, size, 3]
  readonly imageMask?: Float32Array; // [B]
  readonly allowed?: Uint8Array; // [B, tgtLen, V] next tokens allowed by the answer trie
  /** Non-pad target tokens. */
  readonly ntokens: number;
  /** Decoder tokens forced after `<s>` per example (the question with promptInDecoder, else empty). */
  readonly decoderPrefixes: readonly (readonly number[])[];
}

/** Length limits (OFA max_src_length / max_tgt_length). */
export interface BatchOptions {
  readonly maxSourceTokens?: number;
  readonly maxTargetTokens?: number;
  /** Constrain to candidates when every example has them (default true). */
  readonly constrain?: boolean;
  /**
   * OFA's prompt_type=prev_output (the BiomedGPT VQA scripts): the decoder input is
   * `<s> question answer`, the loss covers only `answer </s>`, decoding starts after the question.
   */
  readonly promptInDecoder?: boolean;
  /** Image normalisation after PIL-style bicubic resizing (default `half`; MedMNIST `imagenet`). */
  readonly imageNorm?: ImageNorm;
}

function pad2(rows: readonly number[][], len: number): Int32Array {
  const out = new Int32Array(rows.length * len).fill(PAD);
  rows.forEach((r, i) => {
    out.set(r.slice(0, len), i * len);
  });
  return out;
}

/** The trie of a closed answer set: `[bos] + bpe(" " + answer) + [eos]` per candidate. */
export function answerTrie(tokenizer: Tokenizer, candidates: readonly string[]): Trie {
  return new Trie(candidates.map((c) => tokenizer.answerIds(c)));
}

function allowedMask(
  tokenizer: Tokenizer,
  examples: readonly Example[],
  prev: number[][],
  tgt: number[][],
  tgtLen: number,
  offsets: readonly number[],
): Uint8Array {
  const v = tokenizer.size;
  const out = new Uint8Array(examples.length * tgtLen * v).fill(1);
  examples.forEach((ex, b) => {
    const trie = answerTrie(tokenizer, ex.candidates ?? []);
    const p = prev[b] ?? [];
    const off = offsets[b] ?? 0; // answer starts after the forced prefix
    for (let t = off; t < (tgt[b]?.length ?? 0); t++) {
      const next = trie.next([BOS, ...p.slice(off + 1, t + 1)]);
      if (next.length === 0) continue; // reference outside the set: leave this position unconstrained
      const row = out.subarray((b * tgtLen + t) * v, (b * tgtLen + t + 1) * v);
      row.fill(0);
      for (const id of next) row[id] = 1;
      row[tgt[b]?.[t] ?? PAD] = 1;
    }
  });
  return out;
}

/**
 * Tokenises examples the OFA way: source `<s> bpe(" " + source) </s>`, decoder input
 * `<s> bpe(" " + target)` (with promptInDecoder `<s> bpe(" " + source) bpe(" " + target)`),
 * target `bpe(" " + target) </s>` (shifted under the prefix); pads to the longest; preprocesses
 * images to the preset size; builds trie masks when the examples carry candidates.
 */
export function prepareBatch(
  examples: readonly Example[],
  tokenizer: Tokenizer,
  config: ModelConfig,
  opts: BatchOptions = {},
): PreparedBatch {
  if (examples.length === 0) throw new Error('empty batch');
  const maxSrc = Math.min(opts.maxSourceTokens ?? 80, config.maxSourcePositions - 2);
  const maxTgt = Math.min(opts.maxTargetTokens ?? 30, config.maxTargetPositions - 1);
  const src = examples.map((e) => tokenizer.encodeWithSpecials(` ${e.source.trim()}`, maxSrc, 'source'));
  const body = examples.map((e) => {
    const ids = tokenizer.encode(` ${e.target.trim()}`);
    if (ids.length > maxTgt) tokenizer.encodeWithSpecials(` ${e.target.trim()}`, maxTgt, 'target'); // warns
    return ids.slice(0, maxTgt);
  });
  const prefixes = src.map((s) => (opts.promptInDecoder ? s.slice(1, -1) : []));
  const prev = body.map((ids, i) => [BOS, ...(prefixes[i] ?? []), ...ids]);
  // targets under the prefix are <pad>: no loss on the question
  const tgt = body.map((ids, i) => [...new Array<number>(prefixes[i]?.length ?? 0).fill(PAD), ...ids, EOS]);
  const srcLen = Math.max(...src.map((s) => s.length));
  const tgtLen = Math.max(...tgt.map((s) => s.length));
  const withImage = examples.some((e) => e.image);
  let images: Float32Array | undefined;
  let imageMask: Float32Array | undefined;
  if (withImage) {
    const px = config.imageSize * config.imageSize * 3;
    images = new Float32Array(examples.length * px);
    imageMask = new Float32Array(examples.length);
    examples.forEach((e, i) => {
      if (!e.image) return;
      images?.set(preprocessImage(e.image, config.imageSize, { norm: opts.imageNorm ?? 'half' }), i * px);
      if (imageMask) imageMask[i] = 1;
    });
  }
  const constrain =
    (opts.constrain ?? true) && examples.every((e) => e.candidates && e.candidates.length > 0);
  return {
    size: examples.length,
    srcLen,
    tgtLen,
    vocabSize: tokenizer.size,
    srcTokens: pad2(src, srcLen),
    prevTokens: pad2(prev, tgtLen),
    targets: pad2(tgt, tgtLen),
    ...(images && imageMask ? { images, imageMask } : {}),
    ...(constrain
      ? {
          allowed: allowedMask(
            tokenizer,
            examples,
            prev,
            tgt,
            tgtLen,
            prefixes.map((p) => p.length),
          ),
        }
      : {}),
    ntokens: body.reduce((s, ids) => s + ids.length + 1, 0),
    decoderPrefixes: prefixes,
  };
}
