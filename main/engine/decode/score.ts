import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from '#main/engine/model/context';
import { decode } from '#main/engine/model/decoder';
import { type EncoderInput, encode } from '#main/engine/model/encoder';
import { BOS, EOS } from '#main/engine/tokenizer/vocab';
import type { Trie } from '#main/engine/train/trie';

/** Summed log-probabilities of each candidate for one example, and the argmax. */
export interface CandidateScores {
  readonly scores: readonly number[];
  readonly best: number;
}

/**
 * OFA's "allcand" evaluation for one example: every candidate `bpe(" " + c) + </s>` is scored by
 * its summed log-probability under teacher forcing (with the trie mask of the whole answer set,
 * as in training), and the argmax is the prediction.
 * @param input encoder input of ONE example (batch 1)
 * @param candidates token ids of each candidate without specials
 * @param prefix decoder tokens forced between `<s>` and the answer (OFA prompt_type=prev_output)
 */
export async function scoreCandidates(
  ctx: ForwardContext,
  input: EncoderInput,
  candidates: readonly (readonly number[])[],
  trie?: Trie,
  prefix: readonly number[] = [],
): Promise<CandidateScores> {
  if (candidates.length === 0) throw new Error('no candidates to score');
  const c = candidates.length;
  const off = prefix.length; // forced decoder prefix (prompt_type=prev_output) before each answer
  const len = off + Math.max(...candidates.map((x) => x.length)) + 1;
  const prev = new Int32Array(c * len).fill(1);
  const tgt = new Int32Array(c * len).fill(1);
  candidates.forEach((ids, i) => {
    prev.set([BOS, ...prefix, ...ids], i * len);
    tgt.set([...ids, EOS], i * len + off);
  });
  const lp = tf.tidy(() => {
    const enc = encode(ctx, input);
    const idx = tf.zeros([c], 'int32');
    const rep = {
      x: tf.gather(enc.x, idx) as tf.Tensor3D,
      pad: tf.gather(enc.pad, idx) as tf.Tensor2D,
      pos: enc.pos,
    };
    const logits = decode(ctx, rep, tf.tensor2d(prev, [c, len], 'int32')).logits; // [C, T, V]
    return tf.logSoftmax(logits, -1); // [C, T, V]
  });
  const v = lp.shape[2] ?? 0;
  let values: Float32Array;
  try {
    values = (await lp.data()) as Float32Array;
  } finally {
    lp.dispose();
  }
  const scores = candidates.map((ids, i) => {
    let sum = 0;
    const p = [BOS, ...ids];
    for (let t = 0; t <= ids.length; t++) {
      const row = values.subarray((i * len + off + t) * v, (i * len + off + t + 1) * v);
      const target = tgt[i * len + off + t] ?? EOS;
      if (trie) {
        // renormalise over the tokens the trie allows here (logits of the others are masked out)
        const allowed = trie.next(p.slice(0, t + 1));
        const m = Math.max(...allowed.map((a) => row[a] ?? -Infinity));
        const lse = m + Math.log(allowed.reduce((s, a) => s + Math.exp((row[a] ?? -Infinity) - m), 0));
        sum += (row[target] ?? -Infinity) - lse;
      } else {
        sum += row[target] ?? -Infinity;
      }
    }
    return sum;
  });
  let best = 0;
  scores.forEach((s, i) => {
    if (s > (scores[best] ?? -Infinity)) best = i;
  });
  return { scores, best };
}
