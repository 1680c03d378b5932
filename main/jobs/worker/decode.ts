import * as tf from '@tensorflow/tfjs-core';
import { type ForwardContext, makeContext } from '#main/engine/model/context';
import { type DecoderCache, decode } from '#main/engine/model/decoder';
import { type EncoderOutput, encode } from '#main/engine/model/encoder';
import type { ModelWeights } from '#main/engine/model/weights';
import type { Tokenizer } from '#main/engine/tokenizer/tokenizer';
import { BOS, EOS, PAD } from '#main/engine/tokenizer/vocab';
import { answerTrie, type PreparedBatch } from '#main/engine/train/batch';
import type { Trie } from '#main/engine/train/trie';
import type { Decoding } from '#shared/domain/evaluation';
import type { ModelConfig } from '#shared/model/config';

/** A model ready to decode. */
export interface DecodeModel {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly tokenizer: Tokenizer;
}

/** One decoded answer. */
export interface Decoded {
  readonly text: string;
  /** Summed log-probability of the chosen answer. */
  readonly score: number;
  /** All-candidate decoding: the probability of each candidate (softmax over their scores). */
  readonly scores: readonly number[] | null;
}

/**
 * Decoding of this worker (greedy, trie-constrained greedy, beam, all-candidate), written over the
 * engine's encoder and incremental decoder. Until the engine exposes a decoding API this is the
 * thin adapter the jobs layer needs; it follows OFA's sequence generator for these cases
 * (`--unnormalized` scores, the trie mask after the forced prefix, allcand = summed log-probs).
 */
export function decodeBatch(
  model: DecodeModel,
  batch: PreparedBatch,
  candidates: readonly (readonly string[] | null)[],
  decoding: Decoding,
): Decoded[] {
  const ctx = makeContext(model.config, model.weights, false);
  const enc: EncoderOutput = tf.tidy(() => {
    const tokens = tf.tensor2d(batch.srcTokens, [batch.size, batch.srcLen], 'int32');
    const s = model.config.imageSize;
    const images = batch.images ? tf.tensor4d(batch.images, [batch.size, s, s, 3]) : undefined;
    const imageMask = batch.imageMask ? tf.tensor1d(batch.imageMask) : undefined;
    const r = encode(ctx, { tokens, ...(images ? { images } : {}), ...(imageMask ? { imageMask } : {}) });
    return { x: r.x, pad: r.pad, pos: r.pos };
  });
  try {
    switch (decoding.strategy) {
      case 'allcand':
        return candidates.map((c, b) => allCandidates(ctx, model, enc, b, c ?? []));
      case 'beam':
        return candidates.map((_, b) => beamOne(ctx, model, enc, b, decoding));
      case 'trie':
        return greedy(
          ctx,
          model,
          enc,
          batch.size,
          decoding.maxLength,
          candidates.map((c) => (c && c.length > 0 ? answerTrie(model.tokenizer, c) : null)),
        );
      case 'greedy':
        return greedy(
          ctx,
          model,
          enc,
          batch.size,
          decoding.maxLength,
          candidates.map(() => null),
        );
    }
  } finally {
    tf.dispose([enc.x, enc.pad, enc.pos]);
  }
}

/** log-softmax of the last position's logits, as [B][V] arrays. */
function lastLogProbs(logits: tf.Tensor3D): Float32Array[] {
  const [b, t, v] = logits.shape;
  const lp = tf.tidy(() => tf.logSoftmax(tf.reshape(tf.slice(logits, [0, t - 1, 0], [b, 1, v]), [b, v])));
  const flat = lp.dataSync() as Float32Array;
  lp.dispose();
  return Array.from({ length: b }, (_, i) => flat.subarray(i * v, (i + 1) * v));
}

function bestAllowed(lp: Float32Array, allowed: readonly number[] | null): number {
  let best = EOS;
  let bestValue = Number.NEGATIVE_INFINITY;
  const consider = (id: number) => {
    if (id === PAD || id === BOS) return;
    const value = lp[id] ?? Number.NEGATIVE_INFINITY;
    if (value > bestValue) {
      bestValue = value;
      best = id;
    }
  };
  if (allowed) for (const id of allowed) consider(id);
  else for (let id = 0; id < lp.length; id++) consider(id);
  return best;
}

function disposeSelf(cache: DecoderCache): void {
  for (const kv of cache.self) tf.dispose([kv.k, kv.v]);
}

/** Greedy decoding of a whole batch with the KV cache; a trie (per example) restricts tokens. */
function greedy(
  ctx: ForwardContext,
  model: DecodeModel,
  enc: EncoderOutput,
  size: number,
  maxLength: number,
  tries: readonly (Trie | null)[],
): Decoded[] {
  const seqs = Array.from({ length: size }, () => [BOS]);
  const scores = new Array<number>(size).fill(0);
  const done = new Array<boolean>(size).fill(false);
  let cache: DecoderCache | undefined;
  let next = seqs.map(() => BOS);
  try {
    for (let t = 0; t < maxLength && done.some((d) => !d); t++) {
      const prevCache: DecoderCache | undefined = cache;
      const out = tf.tidy(() => {
        const r = decode(ctx, enc, tf.tensor2d(next, [size, 1], 'int32'), prevCache);
        return {
          logits: r.logits,
          self: r.cache.self.flatMap((kv) => [kv.k, kv.v]),
          cross: r.cache.cross.flatMap((kv) => [kv.k, kv.v]),
          length: r.cache.length,
        };
      });
      const pairs = (xs: tf.Tensor[]) =>
        Array.from({ length: xs.length / 2 }, (_, i) => ({
          k: xs[2 * i] as tf.Tensor4D,
          v: xs[2 * i + 1] as tf.Tensor4D,
        }));
      if (prevCache) disposeSelf(prevCache);
      // Cross keys/values are computed once; later steps hand the same tensors back.
      if (prevCache)
        tf.dispose(out.cross.filter((x) => !prevCache.cross.some((kv) => kv.k === x || kv.v === x)));
      cache = {
        length: out.length,
        self: pairs(out.self),
        cross: prevCache ? prevCache.cross : pairs(out.cross),
      };
      const lps = lastLogProbs(out.logits as tf.Tensor3D);
      out.logits.dispose();
      next = seqs.map((seq, b) => {
        if (done[b]) return PAD;
        const trie = tries[b];
        const allowed = trie ? trie.next(seq) : null;
        const id = allowed && allowed.length === 0 ? EOS : bestAllowed(lps[b]!, allowed);
        scores[b]! += lps[b]![id] ?? 0;
        seq.push(id);
        if (id === EOS) done[b] = true;
        return id;
      });
    }
  } finally {
    if (cache) {
      disposeSelf(cache);
      for (const kv of cache.cross) tf.dispose([kv.k, kv.v]);
    }
  }
  return seqs.map((seq, b) => ({
    text: model.tokenizer.decode(seq.slice(1)),
    score: scores[b]!,
    scores: null,
  }));
}

function encoderRows(enc: EncoderOutput, b: number, copies: number): EncoderOutput {
  return tf.tidy(() => {
    const [, s, d] = enc.x.shape;
    const x = tf.tile(tf.slice(enc.x, [b, 0, 0], [1, s, d]), [copies, 1, 1]) as tf.Tensor3D;
    const pad = tf.tile(tf.slice(enc.pad, [b, 0], [1, s]), [copies, 1]) as tf.Tensor2D;
    return { x, pad, pos: tf.clone(enc.pos) as tf.Tensor2D };
  });
}

/** Scores every candidate answer by summed log-probability (OFA allcand); picks the best. */
function allCandidates(
  ctx: ForwardContext,
  model: DecodeModel,
  enc: EncoderOutput,
  b: number,
  candidates: readonly string[],
): Decoded {
  if (candidates.length === 0) return { text: '', score: Number.NEGATIVE_INFINITY, scores: [] };
  const ids = candidates.map((c) => model.tokenizer.answerIds(c)); // <s> ... </s>
  const len = Math.max(...ids.map((x) => x.length)) - 1;
  const prev = new Int32Array(candidates.length * len).fill(PAD);
  const tgt = new Int32Array(candidates.length * len).fill(PAD);
  ids.forEach((x, i) => {
    prev.set(x.slice(0, -1), i * len);
    tgt.set(x.slice(1), i * len);
  });
  const rows = encoderRows(enc, b, candidates.length);
  const summed = tf.tidy(() => {
    const logits = decode(ctx, rows, tf.tensor2d(prev, [candidates.length, len], 'int32')).logits; // [C, L, V]
    const lp = tf.logSoftmax(logits, -1);
    const targets = tf.tensor2d(tgt, [candidates.length, len], 'int32');
    const picked = tf.sum(tf.mul(lp, tf.oneHot(targets, logits.shape[2])), -1); // [C, L]
    return tf.sum(tf.mul(picked, tf.cast(tf.notEqual(targets, PAD), 'float32')), -1); // [C]
  });
  const values = Array.from(summed.dataSync());
  tf.dispose([summed, rows.x, rows.pad, rows.pos]);
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] ?? Number.NEGATIVE_INFINITY)) best = i;
  });
  const max = Math.max(...values);
  const exp = values.map((v) => Math.exp(v - max));
  const z = exp.reduce((a, c) => a + c, 0);
  return { text: candidates[best] ?? '', score: values[best] ?? 0, scores: exp.map((e) => e / z) };
}

/** Beam search for one example (fairseq semantics: unnormalised sum unless lenpen; no-repeat n-grams). */
function beamOne(
  ctx: ForwardContext,
  model: DecodeModel,
  enc: EncoderOutput,
  b: number,
  d: Decoding,
): Decoded {
  const k = d.beam;
  let beams: { seq: number[]; score: number }[] = [{ seq: [BOS], score: 0 }];
  const finished: { seq: number[]; score: number }[] = [];
  const rowsAll = encoderRows(enc, b, k);
  try {
    for (let t = 0; t < d.maxLength && beams.length > 0; t++) {
      const n = beams.length;
      const prev = new Int32Array(n * (t + 1));
      beams.forEach((bm, i) => {
        prev.set(bm.seq, i * (t + 1));
      });
      const logits = tf.tidy(() => {
        const rows = {
          x: tf.slice(rowsAll.x, [0, 0, 0], [n, -1, -1]) as tf.Tensor3D,
          pad: tf.slice(rowsAll.pad, [0, 0], [n, -1]) as tf.Tensor2D,
          pos: rowsAll.pos,
        };
        return decode(ctx, rows, tf.tensor2d(prev, [n, t + 1], 'int32')).logits;
      });
      const lps = lastLogProbs(logits);
      logits.dispose();
      const expansions: { seq: number[]; score: number }[] = [];
      beams.forEach((bm, i) => {
        const lp = lps[i]!;
        const banned = bannedByNgram(bm.seq, d.noRepeatNgram);
        const order = Array.from(lp.keys())
          .filter((id) => id !== PAD && id !== BOS && !banned.has(id))
          .sort((x, y) => lp[y]! - lp[x]!)
          .slice(0, 2 * k);
        for (const id of order) expansions.push({ seq: [...bm.seq, id], score: bm.score + lp[id]! });
      });
      expansions.sort((x, y) => y.score - x.score);
      beams = [];
      for (const e of expansions) {
        if (e.seq.at(-1) === EOS) finished.push(e);
        else beams.push(e);
        if (beams.length >= k) break;
      }
      if (finished.length >= k) break;
    }
  } finally {
    tf.dispose([rowsAll.x, rowsAll.pad, rowsAll.pos]);
  }
  const pool = finished.length > 0 ? finished : beams;
  const norm = (e: { seq: number[]; score: number }) => e.score / (e.seq.length - 1) ** d.lenpen;
  const best = pool.reduce((a, c) => (norm(c) > norm(a) ? c : a), pool[0]!);
  return { text: model.tokenizer.decode(best.seq.slice(1)), score: best.score, scores: null };
}

function bannedByNgram(seq: readonly number[], n: number): Set<number> {
  const banned = new Set<number>();
  if (n <= 0 || seq.length < n) return banned;
  const prefix = seq.slice(seq.length - (n - 1)).join(',');
  for (let i = 0; i + n <= seq.length; i++) {
    if (seq.slice(i, i + n - 1).join(',') === prefix) banned.add(seq[i + n - 1]!);
  }
  return banned;
}
