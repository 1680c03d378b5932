import * as tf from '@tensorflow/tfjs-core';
import type { KeyValue } from '#main/engine/model/attention';
import type { ForwardContext } from '#main/engine/model/context';
import { type DecoderCache, decode } from '#main/engine/model/decoder';
import type { EncoderOutput } from '#main/engine/model/encoder';

/**
 * Owns the tensors of an incremental decode: the encoder output (repeated per hypothesis), the
 * self-attention cache that grows by one position per step, and the cross-attention keys/values
 * computed on the first step only.
 */
export class IncrementalDecoder {
  private cache: DecoderCache | undefined;

  constructor(
    private readonly ctx: ForwardContext,
    private readonly enc: EncoderOutput,
  ) {}

  /** Feeds one token per row ([N] ids) and returns log-probabilities of the next token, [N, V] on the host. */
  step(tokens: readonly number[]): Promise<Float32Array> {
    return this.stepMany(tokens.map((t) => [t]));
  }

  /**
   * Feeds the same number of tokens per row (a forced decoder prefix, e.g. the question under
   * OFA's prompt_type=prev_output) and returns the log-probabilities after the last one, [N, V].
   */
  async stepMany(rows: readonly (readonly number[])[]): Promise<Float32Array> {
    const prev = this.cache;
    const t = rows[0]?.length ?? 0;
    if (t === 0 || rows.some((r) => r.length !== t))
      throw new Error('stepMany needs rows of one non-zero length');
    const out = tf.tidy(() => {
      const ids = tf.tensor2d(rows.flat(), [rows.length, t], 'int32'); // [N, T]
      const r = decode(this.ctx, this.enc, ids, prev);
      const last = tf.slice(r.logits, [0, t - 1, 0], [-1, 1, -1]); // [N, 1, V]
      const lp = tf.logSoftmax(tf.squeeze(last, [1]), -1); // [N, V]
      return {
        lp,
        self: r.cache.self.flatMap((kv) => [kv.k, kv.v]),
        cross: r.cache.cross.flatMap((kv) => [kv.k, kv.v]),
      };
    });
    const pairs = (flat: tf.Tensor[]): KeyValue[] => {
      const res: KeyValue[] = [];
      for (let i = 0; i < flat.length; i += 2)
        res.push({ k: flat[i] as tf.Tensor4D, v: flat[i + 1] as tf.Tensor4D });
      return res;
    };
    if (prev) {
      for (const kv of prev.self) tf.dispose([kv.k, kv.v]);
      tf.dispose(out.cross.filter((t) => !prev.cross.some((kv) => kv.k === t || kv.v === t)));
    }
    this.cache = {
      length: (prev?.length ?? 0) + t,
      self: pairs(out.self),
      cross: prev ? prev.cross : pairs(out.cross),
    };
    // Asynchronous read: WebGPU under Node has no synchronous one.
    try {
      return (await out.lp.data()) as Float32Array;
    } finally {
      out.lp.dispose();
    }
  }

  /** Rows of the self-attention cache follow `order` (beam reordering); cross keys stay per example. */
  reorder(order: readonly number[]): void {
    const c = this.cache;
    if (!c) return;
    const idx = tf.tensor1d([...order], 'int32');
    const self = c.self.map((kv) => {
      const next = { k: tf.gather(kv.k, idx) as tf.Tensor4D, v: tf.gather(kv.v, idx) as tf.Tensor4D };
      tf.dispose([kv.k, kv.v]);
      return next;
    });
    idx.dispose();
    this.cache = { ...c, self };
  }

  dispose(): void {
    const c = this.cache;
    if (c) for (const kv of [...c.self, ...c.cross]) tf.dispose([kv.k, kv.v]);
    this.cache = undefined;
  }
}

/** Repeats each example's encoder rows `times` times (hypotheses of one example are adjacent). */
export function repeatEncoder(enc: EncoderOutput, times: number): EncoderOutput {
  if (times === 1) return enc;
  const b = enc.x.shape[0];
  const idx = tf.tensor1d(
    Array.from({ length: b * times }, (_, i) => Math.floor(i / times)),
    'int32',
  );
  const out = {
    x: tf.gather(enc.x, idx) as tf.Tensor3D,
    pad: tf.gather(enc.pad, idx) as tf.Tensor2D,
    pos: enc.pos,
  };
  idx.dispose();
  return out;
}
