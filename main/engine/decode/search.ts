import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext } from '#main/engine/model/context';
import { type EncoderInput, type EncoderOutput, encode } from '#main/engine/model/encoder';
import { BOS, EOS } from '#main/engine/tokenizer/vocab';
import type { Trie } from '#main/engine/train/trie';
import { type DecodeOptions, maskRow } from './constraints';
import { IncrementalDecoder, repeatEncoder } from './incremental';

/** One decoded sequence: generated ids (without <s>, with </s> when it finished) and its score. */
export interface Hypothesis {
  readonly tokens: readonly number[];
  /** Summed log-probability. */
  readonly logProb: number;
  /** Ranking score: logProb / length^lenPenalty, or logProb when unnormalized. */
  readonly score: number;
}

/** Encoder output with its intermediates freed (the caller disposes x, pad and pos). */
function encodeKept(ctx: ForwardContext, input: EncoderInput): EncoderOutput {
  const [x, pad, pos] = tf.tidy(() => {
    const e = encode(ctx, input);
    return [e.x, e.pad, e.pos];
  });
  return { x: x as tf.Tensor3D, pad: pad as tf.Tensor2D, pos: pos as tf.Tensor2D };
}

/** One decoder step; pass the forced prefix on the first one (`<s>`) only. */
function feed(
  dec: IncrementalDecoder,
  last: readonly number[],
  prefix: readonly number[],
): Promise<Float32Array> {
  if (prefix.length === 0) return dec.step(last);
  return dec.stepMany(last.map((t) => [t, ...prefix]));
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] ?? -Infinity) > (row[best] ?? -Infinity)) best = i;
  return best;
}

function finalScore(logProb: number, len: number, opts: DecodeOptions): number {
  return opts.unnormalized ? logProb : logProb / len ** (opts.lenPenalty ?? 1);
}

/** Greedy decoding with the KV cache; tries constrain each example when given. */
export async function greedy(
  ctx: ForwardContext,
  input: EncoderInput,
  opts: DecodeOptions = {},
  tries?: readonly (Trie | undefined)[],
  prefix: readonly number[] = [],
): Promise<Hypothesis[]> {
  const enc = encodeKept(ctx, input);
  const dec = new IncrementalDecoder(ctx, enc);
  const b = input.tokens.shape[0];
  const seqs = Array.from({ length: b }, () => [BOS]);
  const lp = new Array<number>(b).fill(0);
  const done = new Array<boolean>(b).fill(false);
  try {
    while (!done.every(Boolean)) {
      const rows = await feed(
        dec,
        seqs.map((s) => s.at(-1) as number),
        seqs[0]?.length === 1 ? prefix : [],
      );
      const v = rows.length / b;
      for (let i = 0; i < b; i++) {
        if (done[i]) {
          seqs[i]?.push(EOS);
          continue;
        }
        const row = rows.subarray(i * v, (i + 1) * v);
        const seq = seqs[i] as number[];
        maskRow(row, seq, opts, tries?.[i]);
        const tok = argmax(row);
        lp[i] = (lp[i] ?? 0) + (row[tok] ?? 0);
        seq.push(tok);
        if (tok === EOS || !Number.isFinite(row[tok] ?? Number.NaN)) done[i] = true;
      }
    }
  } finally {
    dec.dispose();
    tf.dispose([enc.x, enc.pad, enc.pos]);
  }
  return seqs.map((s, i) => {
    const end = s.indexOf(EOS, 1);
    const tokens = s.slice(1, end < 0 ? undefined : end + 1);
    return { tokens, logProb: lp[i] ?? 0, score: finalScore(lp[i] ?? 0, tokens.length, opts) };
  });
}

/** Indices of the `n` largest finite entries of a row, best first (ties: lower index first). */
export function topTokens(row: Float32Array, n: number): number[] {
  const idx: number[] = [];
  for (let t = 0; t < row.length; t++) {
    const x = row[t] ?? Number.NEGATIVE_INFINITY;
    if (!Number.isFinite(x)) continue;
    if (idx.length === n && x <= (row[idx[n - 1] as number] ?? 0)) continue;
    let pos = idx.length === n ? n - 1 : idx.length;
    while (pos > 0 && x > (row[idx[pos - 1] as number] ?? 0)) pos--;
    idx.splice(pos, 0, t);
    if (idx.length > n) idx.pop();
  }
  return idx;
}

export interface Beam {
  readonly seq: number[];
  readonly logProb: number;
}

/**
 * One beam-search step of one example: the best 2k continuations of its live hypotheses; those
 * ending in </s> among the top k are finished (pushed onto `finished`), the others fill the next
 * k beams. Always returns exactly k beams and k source rows (`from`, the reorder index), padded
 * with dead hypotheses once the example has k finished ones. `rowOf(j)` is hypothesis j's
 * log-probabilities (masked in place).
 */
export function advanceBeams(
  beams: readonly Beam[],
  rowOf: (j: number) => Float32Array,
  finished: Hypothesis[],
  k: number,
  opts: DecodeOptions,
  trie: Trie | undefined,
): { next: Beam[]; from: number[] } {
  const cands: { from: number; tok: number; logProb: number }[] = [];
  beams.forEach((h, j) => {
    if (!Number.isFinite(h.logProb)) return;
    const row = rowOf(j);
    maskRow(row, h.seq, opts, trie);
    for (const t of topTokens(row, 2 * k))
      cands.push({ from: j, tok: t, logProb: h.logProb + (row[t] ?? 0) });
  });
  cands.sort((x, y) => y.logProb - x.logProb);
  const next: Beam[] = [];
  const from: number[] = [];
  for (const [rank, c] of cands.slice(0, 2 * k).entries()) {
    if (finished.length >= k) break;
    const seq = [...(beams[c.from]?.seq ?? []), c.tok];
    if (c.tok === EOS) {
      if (rank >= k) continue; // fairseq finalises </s> only among the top `beam` candidates
      finished.push({
        tokens: seq.slice(1),
        logProb: c.logProb,
        score: finalScore(c.logProb, seq.length - 1, opts),
      });
    } else if (next.length < k) {
      next.push({ seq, logProb: c.logProb });
      from.push(c.from);
    }
  }
  // a finished example keeps no live beam; its reorder rows go with them (a stale row here once
  // grew the KV cache past b*k rows: "concat4D: Shape of tensors[1] (80,2,1,32) does not match (106,2,8,32)")
  if (finished.length >= k) {
    next.length = 0;
    from.length = 0;
  }
  while (next.length < k) {
    next.push({ seq: [...(beams[0]?.seq ?? [BOS]), EOS], logProb: -Infinity });
    from.push(0);
  }
  return { next, from };
}

/**
 * fairseq-style beam search: each step keeps the best `beam` unfinished continuations per example;
 * a continuation ending in </s> is finished with score logProb / len^lenPenalty; an example stops
 * once it has `beam` finished hypotheses. Returns the best finished hypothesis per example.
 */
export async function beamSearch(
  ctx: ForwardContext,
  input: EncoderInput,
  opts: DecodeOptions = {},
  tries?: readonly (Trie | undefined)[],
  prefix: readonly number[] = [],
): Promise<Hypothesis[]> {
  const k = opts.beamSize ?? 5;
  const b = input.tokens.shape[0];
  const enc0 = encodeKept(ctx, input);
  const enc = repeatEncoder(enc0, k);
  const dec = new IncrementalDecoder(ctx, enc);
  // only beam 0 is live at the start, so the first step does not pick k copies of one token
  let beams: Beam[][] = Array.from({ length: b }, () =>
    Array.from({ length: k }, (_, j) => ({ seq: [BOS], logProb: j === 0 ? 0 : -Infinity })),
  );
  const finished: Hypothesis[][] = Array.from({ length: b }, () => []);
  try {
    for (let step = 0; step < (opts.maxLen ?? 30) && finished.some((f) => f.length < k); step++) {
      const rows = await feed(
        dec,
        beams.flatMap((bs) => bs.map((h) => h.seq.at(-1) as number)),
        step === 0 ? prefix : [],
      );
      const v = rows.length / (b * k);
      const order: number[] = [];
      beams = beams.map((bs, i) => {
        const r = advanceBeams(
          bs,
          (j) => rows.subarray((i * k + j) * v, (i * k + j + 1) * v),
          finished[i] as Hypothesis[],
          k,
          opts,
          tries?.[i],
        );
        order.push(...r.from.map((f) => i * k + f));
        return r.next;
      });
      dec.reorder(order);
    }
  } finally {
    dec.dispose();
    tf.dispose([enc0.x, enc0.pad, enc0.pos]);
    if (enc !== enc0) tf.dispose([enc.x, enc.pad]);
  }
  return finished.map((f, i) => {
    if (f.length === 0) {
      const best = beams[i]?.[0];
      const tokens = best ? best.seq.slice(1) : [];
      return {
        tokens,
        logProb: best?.logProb ?? -Infinity,
        score: finalScore(best?.logProb ?? -Infinity, tokens.length, opts),
      };
    }
    return [...f].sort((x, y) => y.score - x.score)[0] as Hypothesis;
  });
}
