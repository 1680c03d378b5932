import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { parameterCount } from '#shared/model/weight-shapes';
import { absPosBias, attention, projectKeyValue } from './attention';
import { makeContext } from './context';
import { decode } from './decoder';
import { encode } from './encoder';
import { forward } from './model';
import { resnet } from './resnet';
import { tinyTestConfig } from './test-config';
import { createWeights, disposeWeights, type ModelWeights } from './weights';

const config = tinyTestConfig();
let weights: ModelWeights;
const B = 3;

beforeAll(async () => {
  await initBackend({ prefer: 'cpu', strict: true });
  weights = createWeights(config, 7);
});
afterAll(() => disposeWeights(weights));

function inputs() {
  const tokens = tf.tensor2d(
    [
      [0, 5, 6, 7, 2],
      [0, 8, 9, 2, 1],
      [0, 10, 2, 1, 1],
    ],
    [B, 5],
    'int32',
  );
  const images = tf.randomUniform([B, 32, 32, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
  const prevTokens = tf.tensor2d(
    [
      [0, 11, 12],
      [0, 13, 1],
      [0, 14, 15],
    ],
    [B, 3],
    'int32',
  );
  return { tokens, images, prevTokens };
}

describe('model blocks', () => {
  it('allocates exactly the enumerated parameters', () => {
    const n = [...weights.values()].filter((v) => v.trainable).reduce((s, v) => s + v.size, 0);
    expect(n).toBe(parameterCount(config));
  });

  it('ResNet: [B, H, W, 3] -> [B, H/16, W/16, 16 * width]', () => {
    tf.tidy(() => {
      for (const training of [true, false]) {
        const out = resnet(makeContext(config, weights, training), inputs().images);
        expect(out.shape).toEqual([B, 2, 2, 64]);
      }
    });
  });

  it('attention and position bias shapes', () => {
    tf.tidy(() => {
      const ctx = makeContext(config, weights, false);
      const x = tf.randomNormal([B, 4, 16]);
      const kv = projectKeyValue(ctx, 'encoder.layers.0.self_attn', x);
      expect(kv.k.shape).toEqual([B, 2, 4, 8]);
      expect(attention(ctx, 'encoder.layers.0.self_attn', x, kv, tf.zeros([1, 2, 4, 4])).shape).toEqual([
        B,
        4,
        16,
      ]);
      const bias = absPosBias(
        ctx,
        'encoder.pos_q_linear',
        'encoder.pos_k_linear',
        tf.randomNormal([4, 16]),
        tf.randomNormal([6, 16]),
      );
      expect(bias.shape).toEqual([2, 4, 6]);
    });
  });

  it('encoder: [image patches ; text] with padding mask and positions', () => {
    tf.tidy(() => {
      const ctx = makeContext(config, weights, true, 1);
      const { tokens, images } = inputs();
      const enc = encode(ctx, { tokens, images });
      expect(enc.x.shape).toEqual([B, 4 + 5, 16]);
      expect(enc.pos.shape).toEqual([9, 16]);
      expect(Array.from(enc.pad.dataSync().slice(9, 27))).toEqual([
        0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1,
      ]);
      const textOnly = encode(ctx, { tokens });
      expect(textOnly.x.shape).toEqual([B, 5, 16]);
      expect(ctx.bnUpdates.size).toBeGreaterThan(0);
      for (const t of ctx.bnUpdates.values()) t.dispose();
    });
  });

  it('decoder and full forward: logits [B, T, V], finite', () => {
    tf.tidy(() => {
      const ctx = makeContext(config, weights, false);
      const inp = inputs();
      const logits = forward(ctx, inp);
      expect(logits.shape).toEqual([B, 3, 40]);
      expect(tf.all(tf.isFinite(logits)).dataSync()[0]).toBe(1);
      const { cache } = decode(ctx, encode(ctx, inp), inp.prevTokens);
      expect(cache.length).toBe(3);
      expect(cache.self[1]?.k.shape).toEqual([B, 2, 3, 8]);
      expect(cache.cross[0]?.k.shape).toEqual([B, 2, 9, 8]);
    });
  });
});
