import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '#main/engine/backend/index';
import { relErr, seededTensor, type TwinBackend } from '#main/engine/kernels/webgpu/twins';
import { makeContext } from '#main/engine/model/context';
import { projectOutput } from '#main/engine/model/decoder';
import { tinyTestConfig } from '#main/engine/model/test-config';
import { PAD } from '#main/engine/tokenizer/vocab';
import { largestBindingBytes, lossChunkRows, outputLoss, trainingLoss } from './loss';

/**
 * The training loss in chunks of target rows (outputLoss) against the one-buffer loss over the
 * whole logits, with a chunk limit forced far below the adapter's, so a [B, T] batch is cut into
 * uneven chunks: the same loss and gradients (hidden states, tied embedding) on wasm and on
 * webgpu (SwiftShader), with and without an answer mask.
 */

const [B, T, D, V] = [3, 3, 8, 29];

function setup() {
  const embed = tf.variable(seededTensor([V, D], 1, 0.5), true, 'encoder.embed_tokens.weight');
  const ctx = makeContext(tinyTestConfig(), new Map([['encoder.embed_tokens.weight', embed]]), true);
  const hidden = seededTensor([B, T, D], 2, 2) as tf.Tensor3D;
  const targets = tf.tensor2d([3, 7, 28, 5, PAD, PAD, 11, 2, PAD], [B, T], 'int32');
  const mask = new Float32Array(B * T * V);
  for (let i = 0; i < mask.length; i++) mask[i] = i % 3 === 0 || [3, 7, 28, 5, 11, 2].includes(i % V) ? 1 : 0;
  return { embed, ctx, hidden, targets, mask };
}

for (const backend of ['wasm', 'webgpu'] as TwinBackend[]) {
  describe(`the loss in token chunks on ${backend}`, () => {
    for (const masked of [false, true]) {
      it(`equals the loss over the whole logits, with its gradients${masked ? ' (answer mask)' : ''}`, async () => {
        await initBackend({ prefer: backend, strict: true });
        const { embed, ctx, hidden, targets, mask } = setup();
        // a fresh mask per pass, as each batch's (host-resident until the loss reads it)
        const a = () => (masked ? tf.tensor3d(mask, [B, T, V]) : undefined);
        const whole = (h: tf.Tensor) =>
          trainingLoss(
            tf.reshape(projectOutput(ctx, tf.reshape(h, [B * T, D]) as tf.Tensor2D), [
              B,
              T,
              V,
            ]) as tf.Tensor3D,
            targets,
            0.1,
            a(),
          );
        // 4 rows of logits per chunk: chunks of 4, 4 and 1 rows
        const chunked = (h: tf.Tensor) => outputLoss(ctx, h as tf.Tensor3D, targets, 0.1, a(), 4 * V * 4 + 7);
        let worst = 0;
        const results: Float32Array[][] = [];
        try {
          for (const f of [whole, chunked]) {
            const { value, grads } = tf.variableGrads(() => f(hidden), [embed]);
            const dh = tf.grad((h: tf.Tensor) => f(h))(hidden);
            const ts = [value, grads['encoder.embed_tokens.weight']!, dh];
            results.push(await Promise.all(ts.map(async (x) => Float32Array.from(await x.data()))));
            tf.dispose(ts);
          }
        } finally {
          tf.dispose([embed, hidden, targets]);
        }
        results[0]!.forEach((ref, i) => {
          const e = relErr(results[1]![i]!, ref);
          worst = Math.max(worst, e);
          expect(e, ['loss', 'd embedding', 'd hidden'][i]).toBeLessThanOrEqual(1e-5);
        });
        console.log(
          `loss in chunks ${backend}${masked ? ' masked' : ''}: worst rel ${worst.toExponential(1)}`,
        );
      });
    }

    it('chunks by the backend binding limit; a vocabulary row larger than a buffer is named', async () => {
      await initBackend({ prefer: backend, strict: true });
      const limit = largestBindingBytes();
      if (backend === 'wasm') expect(limit).toBe(Number.POSITIVE_INFINITY);
      else expect(limit).toBeGreaterThanOrEqual(128 * 2 ** 20); // the WebGPU default minimum
      expect(lossChunkRows(59_457, 2 ** 31 - 4)).toBe(9029); // NVIDIA under Dawn: 9,029 rows per chunk
      expect(lossChunkRows(59_457, 128 * 2 ** 20)).toBe(564);
      expect(() => lossChunkRows(V, 100)).toThrow(/exceeds a 100-byte buffer/);
    });
  });
}
